import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { t } from '../../src/questionnaire/text.ts'
import { parseActionPlanUpload } from '../../src/reports/action-plan/parse.ts'
import { type ActionItem, buildGapReport, type GapReportInput } from '../../src/reports/gap-report/build.ts'
import type { SheetError } from '../../src/reports/xlsx/sheet-error.ts'
import { OFFICE } from '../helpers/office.ts'
import { type Answers, bestAnswers, compiled, RUBRIC_2026_1 as rubric, run } from '../helpers/scoring.ts'

/**
 * The action plan round trip: download the gap report, edit the Action plan sheet as a site would in
 * Excel (here with exceljs), upload it, and get exactly the edits back, or every problem with its cell.
 */

const { cq } = compiled('employer', '2026.1')
const ANSWERS: Answers = {
  ...bestAnswers(cq),
  'A6.1': 'held_released_on_request',
  'A7.2': 'yes',
  'A1.4': 'no',
  'A1.5': 'partly',
  'A9.2': 'dont_know',
}
const EVIDENCE = cq.entries.filter((e) => e.scored).map((e) => e.question.id)
const RESULT = run('employer', ANSWERS, { version: '2026.1', evidence: EVIDENCE })
const ASSESSMENT = 7

// Gaps in engine order: A6.1, A7.2 (red flags), then A1.4, A1.5, A9.2.
const ACTIONS: ActionItem[] = [
  { id: 11, question: 'A6.1', owner: null, dueDate: '2026-02-02', status: 'open', notes: null },
  { id: 12, question: 'A7.2', owner: 'Payroll lead', dueDate: '2026-02-15', status: 'in_progress', notes: null },
  { id: 13, question: 'A1.4', owner: 'HR manager', dueDate: null, status: 'open', notes: 'Policy draft ready' },
  // Stored text that looks like a formula is written quoted; read back unchanged, it must not count as an edit.
  { id: 14, question: 'A1.5', owner: '=HR+Ops', dueDate: '2026-04-01', status: 'open', notes: '-see minutes' },
  { id: 15, question: 'A9.2', owner: null, dueDate: '2026-05-01', status: 'done', notes: null },
]

function input(overrides: Partial<GapReportInput> = {}): GapReportInput {
  return {
    organisation: { name: 'Andaman Garments', country: 'TH', sector: 'garment_textile' },
    assessment: { id: ASSESSMENT, status: 'reviewed', createdAt: '2026-01-05T10:00:00Z' },
    questionnaire: { id: 'employer', title: t(cq.def.title), version: cq.def.version, revision: 1, def: cq.def },
    rubric: { id: rubric.id, version: rubric.version, revision: 1, rubric },
    result: RESULT,
    answers: new Map(Object.entries(ANSWERS).map(([q, value]) => [q, { value }])),
    evidence: new Map(),
    verified: new Map(),
    actions: ACTIONS,
    generatedAt: new Date('2026-02-01T00:00:00Z'),
    ...overrides,
  }
}

const EXPECTED = { assessmentId: ASSESSMENT, actions: ACTIONS }

async function download(overrides: Partial<GapReportInput> = {}): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load((await buildGapReport(input(overrides)).xlsx.writeBuffer()) as ArrayBuffer)
  return wb
}

async function upload(wb: ExcelJS.Workbook, expected = EXPECTED) {
  return parseActionPlanUpload(Buffer.from(await wb.xlsx.writeBuffer()), expected)
}

function plan(wb: ExcelJS.Workbook): ExcelJS.Worksheet {
  const ws = wb.getWorksheet('Action plan')
  if (!ws) throw new Error('no Action plan sheet')
  return ws
}

/** The row number of an action, found by its question id in column B. */
function rowOf(ws: ExcelJS.Worksheet, question: string): number {
  for (let r = 4; r <= ws.rowCount; r++) if (ws.getCell(`B${r}`).value === question) return r
  throw new Error(`no row for ${question}`)
}

const at = (errors: SheetError[]) => errors.map((e) => `${e.sheet}!${e.cell}`)

describe('action plan upload', () => {
  it('finds nothing to change in an untouched download', async () => {
    expect(RESULT.gaps.map((g) => g.question)).toEqual(ACTIONS.map((a) => a.question))
    expect(await upload(await download())).toEqual({ changes: [], errors: [] })
  })

  it('returns exactly the fields edited, as Excel stores them', async () => {
    const wb = await download()
    const ws = plan(wb)
    const a61 = rowOf(ws, 'A6.1')
    ws.getCell(`L${a61}`).value = 'Somchai (HR)'
    ws.getCell(`M${a61}`).value = new Date(Date.UTC(2026, 3, 15))
    ws.getCell(`N${a61}`).value = 'In progress'
    const a72 = rowOf(ws, 'A7.2')
    ws.getCell(`M${a72}`).value = '2026-04-30'
    ws.getCell(`N${a72}`).value = 'done'
    ws.getCell(`O${a72}`).value = { richText: [{ text: 'Paid back ' }, { font: { bold: true }, text: 'in full' }] }
    const a14 = rowOf(ws, 'A1.4')
    ws.getCell(`L${a14}`).value = null
    ws.getCell(`O${a14}`).value = '  Policy draft ready  '
    const a92 = rowOf(ws, 'A9.2')
    ws.getCell(`N${a92}`).value = 'VERIFIED'
    ws.getCell(`M${a92}`).value = null

    const { changes, errors } = await upload(wb)
    expect(errors).toEqual([])
    // In the order of the sheet: by section (A1, A6, A7, A9).
    expect(changes).toEqual([
      { id: 13, owner: null },
      { id: 11, owner: 'Somchai (HR)', dueDate: '2026-04-15', status: 'in_progress' },
      { id: 12, dueDate: '2026-04-30', status: 'done', notes: 'Paid back in full' },
      { id: 15, dueDate: null, status: 'verified' },
    ])
  })

  it('takes text that looks like a formula as text', async () => {
    const wb = await download()
    const ws = plan(wb)
    const row = rowOf(ws, 'A1.5')
    expect(ws.getCell(`L${row}`).value).toBe("'=HR+Ops")
    ws.getCell(`O${row}`).value = '@everyone: done'
    const { changes, errors } = await upload(wb)
    expect(errors).toEqual([])
    expect(changes).toEqual([{ id: 14, notes: '@everyone: done' }])
  })

  it('refuses a formula in an editable cell, as the questionnaire import does, whatever result it shows', async () => {
    // The result a file carries for a formula is whatever the program that saved it wrote, not what was typed.
    const wb = await download()
    const ws = plan(wb)
    const row = rowOf(ws, 'A6.1')
    ws.getCell(`L${row}`).value = { formula: 'B4', result: 'Somchai (HR)' }
    ws.getCell(`M${row}`).value = { formula: 'TODAY()', result: new Date(Date.UTC(2026, 3, 15)) }
    const { changes, errors } = await upload(wb)
    expect(changes).toEqual([])
    expect(at(errors)).toEqual([`Action plan!L${row}`, `Action plan!M${row}`])
    for (const e of errors) {
      expect(e.reason).toMatch(
        /the cell holds a formula; type the value itself \(to start text with "=", type an apostrophe first\)/,
      )
    }
  })

  it('refuses an invalid status, naming the sheet and cell; the caller then applies nothing', async () => {
    const wb = await download()
    const ws = plan(wb)
    ws.getCell(`L${rowOf(ws, 'A6.1')}`).value = 'Somchai'
    const bad = rowOf(ws, 'A7.2')
    ws.getCell(`N${bad}`).value = 'Closed'
    const { errors } = await upload(wb)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ sheet: 'Action plan', cell: `N${bad}` })
    expect(errors[0]?.reason).toMatch(/"Closed" is not a status. Choose one of: Open, In progress, Done, Verified/)
  })

  it('refuses a tampered, unknown or duplicated id', async () => {
    const wb = await download()
    const ws = plan(wb)
    const a61 = rowOf(ws, 'A6.1')
    const a72 = rowOf(ws, 'A7.2')
    const a14 = rowOf(ws, 'A1.4')
    ws.getCell(`A${a61}`).value = 9999
    ws.getCell(`A${a72}`).value = 'twelve'
    ws.getCell(`A${a14}`).value = 15
    const { errors } = await upload(wb)
    const a92 = rowOf(ws, 'A9.2')
    // Row A1.4 now claims action 15: its question ID no longer matches, and the real row 15 is a duplicate.
    // Errors come in the order of the sheet, by section: A1.4, A6.1, A7.2, A9.2.
    expect(at(errors)).toEqual([
      `Action plan!B${a14}`,
      `Action plan!A${a61}`,
      `Action plan!A${a72}`,
      `Action plan!A${a92}`,
    ])
    expect(errors[0]?.reason).toMatch(/The question ID must stay A9.2/)
    expect(errors[1]?.reason).toMatch(/Action 9999 is not part of this assessment's action plan/)
    expect(errors[2]?.reason).toMatch(/hidden action id in column A was changed/)
    expect(errors[3]?.reason).toMatch(/Action 15 appears twice, in rows \d+ and \d+/)
  })

  it('refuses edits to the read-only columns, naming each cell', async () => {
    const wb = await download()
    const ws = plan(wb)
    const row = rowOf(ws, 'A1.4')
    ws.getCell(`D${row}`).value = 'Has the policy been explained? (edited)'
    ws.getCell(`F${row}`).value = 'Low'
    ws.getCell(`J${row}`).value = 'Do nothing'
    const other = rowOf(ws, 'A1.5')
    ws.getCell(`B${other}`).value = 'A1.6'
    const { errors, changes } = await upload(wb)
    expect(changes).toEqual([])
    expect(at(errors)).toEqual([
      `Action plan!D${row}`,
      `Action plan!F${row}`,
      `Action plan!J${row}`,
      `Action plan!B${other}`,
    ])
    expect(errors[0]?.reason).toMatch(
      /"Question" was changed. Only "Owner", "Due date", "Status" and "Notes" can be changed/,
    )
    expect(errors[3]?.reason).toMatch(/The question ID must stay A1.5/)
  })

  it('refuses dates it cannot read, numbers for dates, and text that is too long', async () => {
    const wb = await download()
    const ws = plan(wb)
    const rows = ACTIONS.map((a) => rowOf(ws, a.question))
    ws.getCell(`M${rows[0]}`).value = '2026-02-30'
    ws.getCell(`M${rows[1]}`).value = '31/03/2026'
    ws.getCell(`M${rows[2]}`).value = 46_100
    ws.getCell(`L${rows[3]}`).value = 'o'.repeat(201)
    ws.getCell(`O${rows[4]}`).value = 'n'.repeat(4001)
    ws.getCell(`N${rows[4]}`).value = null
    const { errors } = await upload(wb)
    // In the order of the sheet, by section: A1.4, A1.5, A6.1, A7.2, A9.2.
    expect(at(errors)).toEqual([
      `Action plan!M${rows[2]}`,
      `Action plan!L${rows[3]}`,
      `Action plan!M${rows[0]}`,
      `Action plan!M${rows[1]}`,
      `Action plan!N${rows[4]}`,
      `Action plan!O${rows[4]}`,
    ])
    expect(errors.map((e) => e.reason)).toEqual([
      expect.stringMatching(/holds the number 46100, not a date/),
      expect.stringMatching(/The owner is 201 characters long; at most 200 are allowed/),
      expect.stringMatching(/"2026-02-30" is not a date Fairhire can read/),
      expect.stringMatching(/"31\/03\/2026" is not a date Fairhire can read. Type the date as YYYY-MM-DD/),
      expect.stringMatching(/The status is empty/),
      expect.stringMatching(/The notes is 4001 characters long; at most 4000/),
    ])
  })

  it('refuses a plan from another assessment', async () => {
    const { errors, changes } = await upload(await download(), { ...EXPECTED, assessmentId: 8 })
    expect(changes).toEqual([])
    expect(errors).toEqual([
      {
        sheet: 'Action plan',
        cell: 'A1',
        reason: expect.stringMatching(/belongs to assessment 7, not to assessment 8/),
      },
    ])
  })

  it('refuses moved or renamed columns before reading any row', async () => {
    const wb = await download()
    plan(wb).getCell('L3').value = 'Responsible'
    const { errors } = await upload(wb)
    expect(errors).toEqual([
      { sheet: 'Action plan', cell: 'L3', reason: expect.stringMatching(/should be headed "Owner"/) },
    ])
  })

  it('ignores rows deleted from the sheet', async () => {
    const wb = await download()
    const ws = plan(wb)
    ws.spliceRows(rowOf(ws, 'A1.4'), 1)
    ws.getCell(`N${rowOf(ws, 'A9.2')}`).value = 'Open'
    expect(await upload(wb)).toEqual({ changes: [{ id: 15, status: 'open' }], errors: [] })
  })

  it('refuses a copy made before the plan was saved (rows without ids), one error per gap, none per heading', async () => {
    const wb = await download({ actions: [] })
    const ws = plan(wb)
    // Row 4 is the heading of the first section; its first gap follows.
    expect(ws.getCell('B4').value).toMatch(/^A1 .* — 2 gaps$/)
    const { errors } = await upload(wb)
    expect(errors.length).toBe(ACTIONS.length)
    expect(errors[0]).toMatchObject({ sheet: 'Action plan', cell: 'A5' })
    expect(errors[0]?.reason).toMatch(/no action id/)
  })

  it('skips the section headings, but refuses an entry typed into one', async () => {
    const wb = await download()
    const ws = plan(wb)
    const headings: number[] = []
    for (let r = 4; r <= ws.rowCount; r++) if (typeof ws.getCell(`A${r}`).value === 'string') headings.push(r)
    // A1, A6, A7 and A9 each have gaps.
    expect(headings.map((r) => String(ws.getCell(`B${r}`).value).split(' ')[0])).toEqual(['A1', 'A6', 'A7', 'A9'])
    expect(await upload(wb)).toEqual({ changes: [], errors: [] })
    ws.getCell(`N${headings[1]}`).value = 'Done'
    const { errors, changes } = await upload(wb)
    expect(changes).toEqual([])
    expect(errors).toEqual([
      {
        sheet: 'Action plan',
        cell: `N${headings[1]}`,
        reason: expect.stringMatching(/This row is a section heading, not an action/),
      },
    ])
  })

  it('refuses a file that is not a workbook, or has no Action plan sheet', async () => {
    const junk = await parseActionPlanUpload(Buffer.from('not a spreadsheet'), EXPECTED)
    expect(junk.errors[0]?.reason).toMatch(/could not be read as an Excel workbook/)
    const other = new ExcelJS.Workbook()
    other.addWorksheet('Sheet1').getCell('A1').value = 'hello'
    const missing = await upload(other)
    expect(missing.errors).toEqual([
      { sheet: 'Action plan', cell: '', reason: expect.stringMatching(/no sheet named "Action plan"/) },
    ])
  })
})

describe('action plan saved by LibreOffice', () => {
  it.skipIf(OFFICE === null)(
    'reads back unchanged after LibreOffice opens and saves it',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'action-plan-'))
      try {
        const source = join(dir, 'source', 'plan.xlsx')
        mkdirSync(join(dir, 'source'))
        writeFileSync(source, Buffer.from(await buildGapReport(input()).xlsx.writeBuffer()))
        const res = spawnSync(
          OFFICE as string,
          [
            `-env:UserInstallation=file://${dir}/profile`,
            '--headless',
            '--convert-to',
            'xlsx:Calc MS Excel 2007 XML',
            '--outdir',
            dir,
            source,
          ],
          { encoding: 'utf8', timeout: 90_000 },
        )
        expect(res.status, res.stderr).toBe(0)
        expect(await parseActionPlanUpload(readFileSync(join(dir, 'plan.xlsx')), EXPECTED)).toEqual({
          changes: [],
          errors: [],
        })
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
    120_000,
  )
})
