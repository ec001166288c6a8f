import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { checkAnswers } from '../../src/questionnaire/answers.ts'
import type { AnswerValue } from '../../src/questionnaire/condition.ts'
import type { CompiledQuestionnaire } from '../../src/questionnaire/model.ts'
import { t } from '../../src/questionnaire/text.ts'
import {
  buildQuestionnaireWorkbook,
  parseQuestionnaireWorkbook,
  type WorkbookMeta,
} from '../../src/reports/questionnaire-workbook/build.ts'
import { workbookChanges } from '../../src/reports/questionnaire-workbook/changes.ts'
import { routesQuestionnaire } from '../helpers/routes.ts'

/**
 * The Answer cell of a migration-routes question in the offline workbook: one route per line in words, read back
 * to exactly the stored rows (so an untouched file changes nothing), the short form accepted too, and every bad
 * line named.
 */

const employer = routesQuestionnaire('employer')
const recruiter = routesQuestionnaire('recruiter')
const routesId = (cq: CompiledQuestionnaire) =>
  cq.entries.find((e) => e.question.profile === 'corridors')?.question.id as string
const A04 = routesId(employer.cq)
const B08 = routesId(recruiter.cq)

const meta = (id: string, hash: string): WorkbookMeta => ({
  assessmentId: 7,
  questionnaireId: id,
  revision: 1,
  contentHash: hash,
})
const label = (cq: CompiledQuestionnaire, qid: string, choice: string) =>
  t(cq.byId.get(qid)?.choiceById.get(choice)?.label)

async function exported(cq: CompiledQuestionnaire, m: WorkbookMeta, answers: Record<string, AnswerValue>) {
  const map = new Map(Object.entries(answers).map(([k, v]) => [k, { value: v, comment: null }]))
  return Buffer.from(await buildQuestionnaireWorkbook(m, cq, map).xlsx.writeBuffer())
}

/** The Answer cell of a question, to read or change. */
async function withCell(buf: Buffer, qid: string, change?: (cell: ExcelJS.Cell, ws: ExcelJS.Worksheet) => void) {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(buf as unknown as ArrayBuffer)
  const ws = wb.getWorksheet('Answers') as ExcelJS.Worksheet
  let row = 0
  ws.eachRow((r, n) => {
    if (r.getCell(2).value === qid) row = n
  })
  const cell = ws.getCell(`D${row}`)
  change?.(cell, ws)
  return { cell, ws, buf: Buffer.from(await wb.xlsx.writeBuffer()) }
}

describe('offline workbook: migration routes', () => {
  const rows = ['MM:240:origin_agency', 'KH:60:informal_broker', 'TH:1800:direct']
  const em = meta('employer', employer.hash)

  it('writes one route per line in words, and says how to write one', async () => {
    const { cell, ws } = await withCell(await exported(employer.cq, em, { [A04]: rows }), A04)
    expect(cell.value).toBe(
      [
        `Myanmar (Burma); 240; ${label(employer.cq, A04, 'origin_agency')}`,
        `Cambodia; 60; ${label(employer.cq, A04, 'informal_broker')}`,
        `Thailand; 1800; ${label(employer.cq, A04, 'direct')}`,
      ].join('\n'),
    )
    const how = String(ws.getCell(`F${cell.row}`).value)
    expect(how).toContain('One route per line: home country; number of workers; answer, separated by ";"')
    expect(how).toContain('For example: Nepal; 450;')
    expect(cell.dataValidation).toMatchObject({ type: 'textLength', promptTitle: 'One route per line' })
  })

  it('reads an untouched cell back to the same rows, so the upload changes nothing', async () => {
    const buf = await exported(employer.cq, em, { [A04]: rows })
    const parsed = await parseQuestionnaireWorkbook(buf, em, employer.cq)
    expect(parsed.errors).toEqual([])
    expect(parsed.answers[A04]).toEqual(rows)
    const saved = new Map([[A04, { value: rows as AnswerValue, comment: null }]])
    expect(workbookChanges(employer.cq, saved, parsed).answers).toEqual({})
  })

  it('round-trips a recruiter route with its country of work', async () => {
    const mine = ['BD-SG:120:one_to_3_months', 'NP-MY:45:none']
    const rm = meta('recruiter', recruiter.hash)
    const buf = await exported(recruiter.cq, rm, { [B08]: mine })
    const { cell } = await withCell(buf, B08)
    expect(String(cell.value).split('\n')[0]).toBe(
      `Bangladesh; Singapore; 120; ${label(recruiter.cq, B08, 'one_to_3_months')}`,
    )
    expect((await parseQuestionnaireWorkbook(buf, rm, recruiter.cq)).answers[B08]).toEqual(mine)
  })

  it('reads what a person types: names or codes in any case, numbers with separators, the short form', async () => {
    const { buf } = await withCell(await exported(employer.cq, em, {}), A04, (cell) => {
      cell.value = [
        `nepal ; 1,200 ; ${label(employer.cq, A04, 'origin_agency').toUpperCase()}`,
        '',
        'BD; 35; direct',
        'KH:20:informal_broker; la:5:direct',
      ].join('\r\n')
    })
    const parsed = await parseQuestionnaireWorkbook(buf, em, employer.cq)
    expect(parsed.errors).toEqual([])
    expect(parsed.answers[A04]).toEqual([
      'NP:1200:origin_agency',
      'BD:35:direct',
      'KH:20:informal_broker',
      'LA:5:direct',
    ])
    expect(checkAnswers(employer.cq, parsed.answers).problems).toEqual([])
  })

  it('refuses the file and names every bad line of the cell', async () => {
    let at = ''
    const { buf } = await withCell(await exported(employer.cq, em, {}), A04, (cell) => {
      at = cell.address
      cell.value = ['Nepl; 10; direct', 'Nepal; ten; direct', 'Nepal; 10; by boat', 'Nepal 10 direct'].join('\n')
    })
    const parsed = await parseQuestionnaireWorkbook(buf, em, employer.cq)
    expect(parsed.answers).toEqual({})
    expect(parsed.errors).toHaveLength(1)
    expect(parsed.errors[0]?.cell).toBe(at)
    const reason = parsed.errors[0]?.reason ?? ''
    expect(reason).toMatch(new RegExp(`^${A04.replace('.', '\\.')}: line 1: "Nepl" is not a country in the list`))
    expect(reason).toContain('line 2: "ten" is not a number of workers')
    expect(reason).toContain('line 3: "by boat" is not one of the answers')
    expect(reason).toContain('line 4: write home country; number of workers; answer, separated by ";"')
  })

  it('refuses a route listed twice, as the answer page does', async () => {
    const { buf } = await withCell(await exported(employer.cq, em, {}), A04, (cell) => {
      cell.value = 'Nepal; 10; direct\nNepal; 5; direct'
    })
    const parsed = await parseQuestionnaireWorkbook(buf, em, employer.cq)
    expect(parsed.errors[0]?.reason).toContain('route 2: the same route and answer are listed twice')
  })
})
