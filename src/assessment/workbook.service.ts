import * as audit from '../access/audit.repository.ts'
import { Forbidden, type Principal } from '../access/principal.ts'
import type { Conn } from '../db/database.ts'
import { compiledVersion, versionById } from '../questionnaire/questionnaire.service.ts'
import { buildQuestionnaireWorkbook } from '../reports/questionnaire-workbook/build.ts'
import { type IgnoredRow, workbookChanges } from '../reports/questionnaire-workbook/changes.ts'
import { parseInWorker } from '../reports/upload/pool.ts'
import type { SheetError } from '../reports/xlsx/sheet-error.ts'
import { saveAnswers, storedAnswers } from './answers.service.ts'
import { getAssessment } from './assessment.service.ts'
import { AssessmentError } from './errors.ts'
import * as lifecycle from './lifecycle.ts'

/** The questionnaire as a workbook for answering offline, pre-filled with the saved answers. */
export async function questionnaireWorkbookBuffer(db: Conn, p: Principal, id: number) {
  const a = await getAssessment(db, p, id)
  const qv = await versionById(db, a.questionnaire_version_id)
  const answers = await storedAnswers(db, id)
  const wb = buildQuestionnaireWorkbook(
    { assessmentId: id, questionnaireId: qv.id, revision: qv.revision, contentHash: qv.contentHash },
    compiledVersion(qv),
    new Map(
      [...answers]
        .filter(([, v]) => v.value !== null || v.comment)
        .map(([k, v]) => [k, { value: v.value, comment: v.comment }]),
    ),
  )
  return { data: Buffer.from(await wb.xlsx.writeBuffer()), fileName: `questionnaire-${qv.id}-assessment-${id}.xlsx` }
}

/**
 * Imports an offline workbook: every row is checked; any error and nothing is saved, with the sheet,
 * cell and reason of each; otherwise the changed answers are saved in one transaction and the import
 * is written to the audit log. Rows of questions that are not asked are not saved: they come back as
 * `ignored`, for the person to see (see workbookChanges).
 */
export async function importQuestionnaireWorkbook(
  db: Conn,
  p: Principal,
  id: number,
  data: Buffer,
  now = new Date(),
): Promise<{ saved: number; ignored: IgnoredRow[]; errors: SheetError[] }> {
  const a = await getAssessment(db, p, id)
  if (a.organisation_id !== p.organisationId)
    throw new Forbidden('The organisation that answers the assessment imports its answers.')
  if (!lifecycle.openForAnswers(a.status))
    throw new AssessmentError(`This assessment is ${a.status}: its answers are locked.`, 409)
  const qv = await versionById(db, a.questionnaire_version_id)
  const cq = compiledVersion(qv)
  // Read in a worker thread, off the event loop (reports/upload/pool.ts); the answers are saved here.
  const parsed = await parseInWorker({
    kind: 'questionnaire',
    data,
    expected: { assessmentId: id, questionnaireId: qv.id, revision: qv.revision, contentHash: qv.contentHash },
    questionnaire: qv.def,
  })
  if (parsed.errors.length > 0) return { saved: 0, ignored: [], errors: parsed.errors }
  const stored = await storedAnswers(db, id)
  const { answers, comments, ignored } = workbookChanges(cq, stored, parsed)
  // The versions read here: an answer saved by someone else in the meantime is a conflict, not overwritten
  // with a decision taken on answers that are no longer the saved ones.
  const versions: Record<string, number> = {}
  for (const qid of new Set([...Object.keys(answers), ...Object.keys(comments)]))
    versions[qid] = stored.get(qid)?.version ?? 0
  const result = await saveAnswers(db, p, id, { answers, comments, versions }, now)
  await audit.record(
    db,
    p,
    [
      {
        organisationId: a.organisation_id,
        assessmentId: id,
        action: 'import_workbook',
        entity: 'assessment',
        entityId: id,
        newValue: { changed: result.saved, ignored: ignored.map((r) => r.question) },
      },
    ],
    now,
  )
  return { saved: result.saved, ignored, errors: [] }
}
