import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import type { AnswerValue } from '../../src/questionnaire/condition.ts'
import { t } from '../../src/questionnaire/text.ts'
import { parseActionPlanUpload } from '../../src/reports/action-plan/parse.ts'
import { type ActionItem, buildGapReport, type GapReportInput } from '../../src/reports/gap-report/build.ts'
import {
  buildQuestionnaireWorkbook,
  parseQuestionnaireWorkbook,
} from '../../src/reports/questionnaire-workbook/build.ts'
import { EXCEL_CELL_LIMIT, safeText, unquoteText, xmlText } from '../../src/reports/xlsx/cell-safety.ts'
import { convertToPdf, OFFICE } from '../helpers/office.ts'
import { type Answers, bestAnswers, compiled, rubric, run } from '../helpers/scoring.ts'

/**
 * Text a workbook cannot hold. A workbook is XML 1.0: control characters other than tab, line feed and
 * carriage return, lone surrogates and U+FFFE/U+FFFF cannot appear in it, and Excel calls a file that has
 * one corrupt. Answers, comments and action plan entries may contain them (typed, pasted or sent through
 * the API), so every export must clean them, and still open in exceljs and in LibreOffice.
 */

const { cq, hash } = compiled('employer')

/** Each kind of character XML 1.0 cannot hold, between ordinary text. */
const UNWRITABLE = 'a\u0000b\u0001c\u0008d\u000be\u000cf\u001fg\u007fh\ud800i\udfffj\ufffek\uffffl'
const CLEANED = 'abcdefgh\ufffdi\ufffdj\ufffdk\ufffdl'

describe('safeText', () => {
  it('removes control characters, replaces lone surrogates and U+FFFE/U+FFFF, keeps the rest', () => {
    expect(safeText(UNWRITABLE)).toBe(CLEANED)
    expect(xmlText(UNWRITABLE)).toBe(CLEANED)
    // Tab, line feed and carriage return are XML; pairs, other scripts and emoji are text like any other.
    expect(safeText('a\tb\nc\rd')).toBe('a\tb\nc\rd')
    expect(safeText('São Paulo 😀 𝕏 👩🏽‍🔧 ไทย \u00a0\u0085\ufffd')).toBe(
      'São Paulo 😀 𝕏 👩🏽‍🔧 ไทย \u00a0\u0085\ufffd',
    )
    expect(safeText(null)).toBe('')
    expect(safeText(undefined)).toBe('')
  })

  it('keeps the formula guard, also when a removed character hid the "="', () => {
    expect(safeText('=1+1')).toBe("'=1+1")
    expect(safeText('\u0000=1+1')).toBe("'=1+1")
    expect(safeText('\u0001\u0002@SUM(A1)')).toBe("'@SUM(A1)")
    expect(safeText('\t=cmd')).toBe("'\t=cmd")
    expect(unquoteText(safeText('\u0000=1+1'))).toBe('=1+1')
    expect(safeText('a=1')).toBe('a=1')
  })

  it('keeps the 32,767-character limit, without cutting a surrogate pair in half', () => {
    const long = safeText('x'.repeat(40_000))
    expect(long).toHaveLength(EXCEL_CELL_LIMIT)
    expect(long.endsWith(' […truncated]')).toBe(true)
    // Emoji are two UTF-16 units: wherever the cut falls, no half of one is left.
    for (const prefix of ['', 'x']) {
      const cut = safeText(prefix + '😀'.repeat(20_000))
      expect(cut.length).toBeLessThanOrEqual(EXCEL_CELL_LIMIT)
      expect(/\p{Cs}/u.test(cut)).toBe(false)
      expect(cut.endsWith('😀 […truncated]')).toBe(true)
    }
    // Removed characters do not count against the limit.
    expect(safeText(`${'\u0000'.repeat(10)}${'y'.repeat(EXCEL_CELL_LIMIT)}`)).toBe('y'.repeat(EXCEL_CELL_LIMIT))
  })
})

// A gap report of an assessment whose respondent typed every such character.

const ANSWERS: Answers = {
  ...bestAnswers(cq),
  'A0.1b': `Seafood ${UNWRITABLE}`,
  'A6.1': 'held_released_on_request',
  'A1.4': 'no',
  'A1.5': 'partly',
}
const COMMENTS: Record<string, string> = {
  'A1.4': `Training ${UNWRITABLE}`,
  'A1.5': `\u0000=HYPERLINK("http://example.com")${UNWRITABLE}`,
}
/** Cut at the cell limit, which falls in the middle of an emoji. */
const LONG_COMMENT = `x${'😀'.repeat(16_383)}${UNWRITABLE}`
const RESULT = run('employer', ANSWERS, { evidence: ['A1.4'] })
const ACTIONS: ActionItem[] = RESULT.gaps.map((g, i) => ({
  id: 100 + i,
  question: g.question,
  owner: i === 0 ? `HR ${UNWRITABLE}` : i === 1 ? 'Payroll\u0007 lead' : null,
  dueDate: '2026-06-30',
  status: 'open',
  notes: i === 0 ? `\u0001-see minutes ${UNWRITABLE}` : null,
}))

function gapInput(): GapReportInput {
  return {
    organisation: { name: `Siam\u0000 Seafood\uffff ${UNWRITABLE}`, site: `Plant\ud800 2`, country: 'TH' },
    assessment: { id: 9, status: 'submitted', createdAt: '2026-01-10T08:30:00.000Z' },
    questionnaire: { id: 'employer', title: t(cq.def.title), version: cq.def.version, revision: 1, def: cq.def },
    rubric: { id: rubric.id, version: rubric.version, revision: 1, rubric },
    result: RESULT,
    answers: new Map(
      Object.entries(ANSWERS).map(([q, value]) => [
        q,
        { value, comment: q === 'A6.1' ? LONG_COMMENT : (COMMENTS[q] ?? null) },
      ]),
    ),
    evidence: new Map([['A1.4', [`policy\u0002${UNWRITABLE}.pdf`]]]),
    verified: new Map(),
    actions: ACTIONS,
    generatedAt: new Date('2026-02-01T09:00:00Z'),
  }
}

async function load(data: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(data as unknown as ArrayBuffer)
  return wb
}

/** Every string and rich-text run of a workbook's cells. */
function texts(wb: ExcelJS.Workbook): string[] {
  const out: string[] = []
  for (const ws of wb.worksheets) {
    ws.eachRow((row) => {
      row.eachCell((cell) => {
        const v = cell.value
        if (typeof v === 'string') out.push(v)
        else if (v && typeof v === 'object' && 'richText' in v) out.push(...v.richText.map((r) => r.text))
      })
    })
  }
  return out
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
const UNWRITABLE_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]|\p{Cs}/u

describe('a gap report with text XML cannot hold', () => {
  it('opens in exceljs, with the text cleaned wherever it was written', async () => {
    const data = Buffer.from(await buildGapReport(gapInput()).xlsx.writeBuffer())
    const wb = await load(data)
    const all = texts(wb)
    expect(all.filter((s) => UNWRITABLE_CHAR.test(s))).toEqual([])
    expect(all).toContain(`HR ${CLEANED}`)
    expect(all).toContain(`'=HYPERLINK("http://example.com")${CLEANED}`)
    expect(all).toContain(`Training ${CLEANED}`)
    expect(all.some((s) => s.includes(`Seafood ${CLEANED}`))).toBe(true)
    expect(all.some((s) => s.includes(`policy${CLEANED}.pdf`))).toBe(true)
    expect(all.some((s) => s.includes(`Siam Seafood\ufffd ${CLEANED}`))).toBe(true)
    expect(all.find((s) => s.startsWith('x😀'))).toBe(`x${'😀'.repeat(16_376)} […truncated]`)
    expect(wb.title).not.toMatch(UNWRITABLE_CHAR)
    for (const ws of wb.worksheets) expect(ws.headerFooter.oddFooter ?? '').not.toMatch(UNWRITABLE_CHAR)
  })

  it('gives its action plan back unchanged when uploaded untouched', async () => {
    const data = Buffer.from(await buildGapReport(gapInput()).xlsx.writeBuffer())
    expect(await parseActionPlanUpload(data, { assessmentId: 9, actions: ACTIONS })).toEqual({
      changes: [],
      errors: [],
    })
  })

  it.skipIf(OFFICE === null)(
    'converts to PDF in LibreOffice',
    async () => {
      const res = convertToPdf(Buffer.from(await buildGapReport(gapInput()).xlsx.writeBuffer()), 'gap-unwritable')
      expect(res.status, res.stderr).toBe(0)
      expect(res.pdf).toBe(true)
    },
    120_000,
  )
})

// An offline questionnaire pre-filled with such answers and comments.

const META = { assessmentId: 9, questionnaireId: 'employer', revision: 1, contentHash: hash }

async function questionnaireWorkbook(): Promise<Buffer> {
  const prefilled = new Map<string, { value: AnswerValue; comment?: string | null }>(
    Object.entries(ANSWERS).map(([q, value]) => [q, { value, comment: COMMENTS[q] ?? null }]),
  )
  return Buffer.from(await buildQuestionnaireWorkbook(META, cq, prefilled).xlsx.writeBuffer())
}

describe('a questionnaire workbook with text XML cannot hold', () => {
  it('opens in exceljs, and reads back with the text cleaned', async () => {
    const data = await questionnaireWorkbook()
    const all = texts(await load(data))
    expect(all.filter((s) => UNWRITABLE_CHAR.test(s))).toEqual([])
    const back = await parseQuestionnaireWorkbook(data, META, cq)
    expect(back.errors).toEqual([])
    expect(back.answers['A0.1b']).toBe(`Seafood ${CLEANED}`)
    expect(back.comments['A1.4']).toBe(`Training ${CLEANED}`)
    expect(back.comments['A1.5']).toBe(`=HYPERLINK("http://example.com")${CLEANED}`)
  })

  it.skipIf(OFFICE === null)(
    'converts to PDF in LibreOffice',
    async () => {
      const res = convertToPdf(await questionnaireWorkbook(), 'questionnaire-unwritable')
      expect(res.status, res.stderr).toBe(0)
      expect(res.pdf).toBe(true)
    },
    120_000,
  )
})
