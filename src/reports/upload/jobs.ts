import { type CompiledQuestionnaire, compileQuestionnaire, type QuestionnaireDef } from '../../questionnaire/model.ts'
import type { ActionItem } from '../action-plan/layout.ts'
import { type ActionPlanResult, parseActionPlanUpload } from '../action-plan/parse.ts'
import type { WorkbookMeta } from '../questionnaire-workbook/layout.ts'
import { type ParsedQuestionnaire, parseQuestionnaireWorkbook } from '../questionnaire-workbook/parse.ts'
import { checkXlsxUpload } from './limits.ts'

/**
 * What an upload worker does (worker.ts): the checks and the reading of one uploaded workbook,
 * from its bytes to plain data (the answers, or the action plan's changes, and the problems found). It
 * reads nothing from the database and writes nothing: the caller, on the main thread, saves the result.
 * Everything in and out is plain data, so that it crosses between threads as it is.
 */

export type UploadJob =
  | { kind: 'questionnaire'; data: Uint8Array; expected: WorkbookMeta; questionnaire: QuestionnaireDef }
  | { kind: 'action-plan'; data: Uint8Array; expected: { assessmentId: number; actions: ActionItem[] } }

export type UploadJobResult<J extends UploadJob> = J extends { kind: 'questionnaire' }
  ? ParsedQuestionnaire
  : ActionPlanResult

/** Compiled once per questionnaire version a worker sees. */
const compiled = new Map<string, CompiledQuestionnaire>()

export async function runUploadJob(job: UploadJob): Promise<ParsedQuestionnaire | ActionPlanResult> {
  // Bytes arrive from another thread as a plain Uint8Array.
  const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength)
  if (job.kind === 'questionnaire') {
    let cq = compiled.get(job.expected.contentHash)
    if (!cq) {
      cq = compileQuestionnaire(job.questionnaire)
      compiled.set(job.expected.contentHash, cq)
    }
    return parseQuestionnaireWorkbook(data, job.expected, cq)
  }
  // Refused with the reason why (not a workbook, damaged, over a limit) before the sheet is read.
  const { archive } = checkXlsxUpload(data)
  return parseActionPlanUpload(archive, job.expected)
}
