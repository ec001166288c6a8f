import ExcelJS from 'exceljs'
import { beforeAll, describe, expect, it } from 'vitest'
import { t } from '../../src/questionnaire/text.ts'
import { ACTION_PLAN_COLUMNS } from '../../src/reports/action-plan/layout.ts'
import {
  type ActionItem,
  buildGapReport,
  GAP_REPORT_SHEETS,
  type GapReportInput,
} from '../../src/reports/gap-report/build.ts'
import { EXCEL_CELL_LIMIT, safeText, unquoteText } from '../../src/reports/xlsx/cell-safety.ts'
import type { ScoreResult } from '../../src/scoring/result.schema.ts'
import { convertToPdf, OFFICE } from '../helpers/office.ts'
import {
  type Answers,
  bestAnswers,
  compiled,
  RUBRIC_2026_1 as rubric,
  rubric as rubric2026,
  run,
} from '../helpers/scoring.ts'

/**
 * The gap report of a real employer self-assessment (a Thai seafood site with two red flags and a few
 * other gaps), written to a buffer and read back with exceljs, as a user's spreadsheet program would.
 */

const { cq } = compiled('employer', '2026.1')
const GENERATED = new Date('2026-02-01T09:00:00Z')
const DANGEROUS = ['=1+1', '+66 2 555 0100', '-2+3', '@SUM(A1:A2)', '\t=cmd|calc', '\r=cmd|calc']
const DANGEROUS_QUESTIONS = ['A1.1', 'A1.2', 'A1.3', 'A1.3b', 'A1.6', 'A1.7']
const FORMULA_ANSWER = '=HYPERLINK("http://example.com","click")'
const LONG_COMMENT = 'x'.repeat(40_000)

const ANSWERS: Answers = {
  ...bestAnswers(cq),
  'A0.4': FORMULA_ANSWER,
  'A6.1': 'held_released_on_request',
  'A7.2': 'yes',
  'A1.4': 'no',
  'A1.5': 'partly',
  'A9.2': 'dont_know',
}
const COMMENTS: Record<string, string> = {
  ...Object.fromEntries(DANGEROUS_QUESTIONS.map((q, i) => [q, DANGEROUS[i] as string])),
  'A2.1': LONG_COMMENT,
}
const EVIDENCE = cq.entries.filter((e) => e.scored && e.question.id !== 'A8.5').map((e) => e.question.id)
const RESULT = run('employer', ANSWERS, {
  version: '2026.1',
  evidence: EVIDENCE,
  verified: { 'A6.3': 'worker_interview' },
})

const isoDay = (d: Date) => d.toISOString().slice(0, 10)
const addDays = (d: Date, n: number) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + n))

/** The stored plan, deliberately in the reverse of the engine's order, so the sheet must sort it. */
function actionsFor(result: ScoreResult): ActionItem[] {
  return result.gaps
    .map((g, i) => ({
      id: 500 + i,
      question: g.question,
      owner: i === 0 ? 'HR manager' : null,
      dueDate: g.days === null ? null : isoDay(addDays(GENERATED, g.days)),
      status: i === 1 ? ('in_progress' as const) : ('open' as const),
      notes: i === 0 ? '=not a formula' : null,
    }))
    .reverse()
}

function reportInput(overrides: Partial<GapReportInput> = {}): GapReportInput {
  const result = overrides.result ?? RESULT
  return {
    organisation: {
      name: 'Siam Seafood & Co.',
      site: 'Samut Sakhon plant 2',
      country: 'TH',
      sector: 'seafood_fishing',
    },
    assessment: {
      id: 42,
      status: 'submitted',
      createdAt: '2026-01-10T08:30:00.000Z',
      submittedAt: '2026-01-20 16:05:00',
    },
    questionnaire: { id: 'employer', title: t(cq.def.title), version: cq.def.version, revision: 1, def: cq.def },
    rubric: { id: rubric.id, version: rubric.version, revision: 3, rubric },
    result,
    answers: new Map(Object.entries(ANSWERS).map(([q, value]) => [q, { value, comment: COMMENTS[q] ?? null }])),
    evidence: new Map(EVIDENCE.map((q) => [q, [`${q}-policy.pdf`]])),
    verified: new Map([['A6.3', 'worker_interview']]),
    actions: actionsFor(result),
    generatedAt: GENERATED,
    ...overrides,
  }
}

async function readBack(input: GapReportInput): Promise<{ wb: ExcelJS.Workbook; buffer: Buffer }> {
  const buffer = Buffer.from(await buildGapReport(input).xlsx.writeBuffer())
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(buffer as unknown as ArrayBuffer)
  return { wb, buffer }
}

function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name)
  if (!ws) throw new Error(`no sheet ${name}`)
  return ws
}

/** The first row whose column A reads `label` (at or after row `from`). */
function rowLabelled(ws: ExcelJS.Worksheet, label: string, from = 1): ExcelJS.Row {
  for (let r = from; r <= ws.rowCount; r++) if (ws.getRow(r).getCell(1).value === label) return ws.getRow(r)
  throw new Error(`no row labelled ${label} in ${ws.name}`)
}

/** The data row of a list sheet whose column `col` holds the question id. */
function rowOfQuestion(ws: ExcelJS.Worksheet, question: string, col = 1): ExcelJS.Row {
  for (let r = 4; r <= ws.rowCount; r++) if (ws.getRow(r).getCell(col).value === question) return ws.getRow(r)
  throw new Error(`no row for ${question} in ${ws.name}`)
}

function headers(ws: ExcelJS.Worksheet): unknown[] {
  return (ws.getRow(3).values as unknown[]).slice(1)
}

function allText(ws: ExcelJS.Worksheet): string {
  const parts: string[] = []
  ws.eachRow((row) => {
    row.eachCell((cell) => {
      if (typeof cell.value === 'string') parts.push(cell.value)
    })
  })
  return parts.join('\n')
}

describe('gap report', () => {
  let wb: ExcelJS.Workbook

  beforeAll(async () => {
    expect(RESULT.redFlags.length).toBe(2)
    expect(RESULT.gaps.length).toBe(5)
    wb = (await readBack(reportInput())).wb
  })

  it('has the six sheets in order, Top actions first, and document properties', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual([...GAP_REPORT_SHEETS])
    expect(wb.worksheets[0]?.name).toBe('Top actions')
    expect(wb.creator).toBe('Fairhire')
    expect(wb.title).toBe('Gap report: Siam Seafood & Co.')
    expect(wb.created).toEqual(GENERATED)
  })

  it('shows the rating in its colour with the word, and the scores as numbers', () => {
    const ws = sheet(wb, 'Summary')
    expect(RESULT.rating).toBe('critical')
    const rating = rowLabelled(ws, 'Risk rating').getCell(2)
    expect(rating.value).toBe('CRITICAL')
    expect(rating.fill).toMatchObject({ type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFC00000' } })
    expect(rowLabelled(ws, 'Control score (0 to 100)').getCell(2).value).toBe(RESULT.control.overall)
    expect(rowLabelled(ws, 'Inherent risk (0 to 10)').getCell(2).value).toBe(RESULT.inherent.score)
    expect(rowLabelled(ws, 'Inherent risk (0 to 10)').getCell(3).value).toBe('High')
    expect(rowLabelled(ws, 'Confidence').getCell(2).value).toBe('High')
    expect(rowLabelled(ws, 'Assessment id').getCell(2).value).toBe(42)
    expect(rowLabelled(ws, 'Started (UTC)').getCell(2).value).toEqual(new Date('2026-01-10T08:30:00Z'))
    expect(rowLabelled(ws, 'Submitted (UTC)').getCell(2).value).toEqual(new Date('2026-01-20T16:05:00Z'))
    expect(rowLabelled(ws, 'Reviewed (UTC)').getCell(2).value).toBe('Not yet')
    expect(rowLabelled(ws, 'Country').getCell(2).value).toBe('Thailand')
  })

  it('gives the control score of every section, with a colour scale', () => {
    const ws = sheet(wb, 'Summary')
    const first = rowLabelled(ws, 'Section').number + 1
    for (const [i, s] of RESULT.control.sections.entries()) {
      const row = ws.getRow(first + i)
      expect(String(row.getCell(1).value)).toMatch(new RegExp(`^${s.id} `))
      expect(row.getCell(2).value).toBe(s.score)
      expect(row.getCell(4).value).toBe(s.weight)
    }
    const last = first + RESULT.control.sections.length - 1
    // exceljs reads conditional formats back but does not declare the property.
    const read = (ws as unknown as { conditionalFormattings: ExcelJS.ConditionalFormattingOptions[] })
      .conditionalFormattings
    const scale = read.find((cf) => cf.rules.some((r) => r.type === 'colorScale'))
    expect(scale?.ref).toBe(`B${first}:B${last}`)
  })

  it('lists the inherent risk factors and counts red flags and gaps by severity', () => {
    const ws = sheet(wb, 'Summary')
    const country = RESULT.inherent.factors.find((f) => f.factor === 'country')
    expect(rowLabelled(ws, 'Country of the site').getCell(2).value).toBe(country?.points)
    const counts = rowLabelled(ws, 'Severity').number
    const critical = ws.getRow(counts + 1)
    expect(critical.getCell(1).value).toBe('Critical')
    expect(critical.getCell(1).fill).toMatchObject({ fgColor: { argb: 'FFC00000' } })
    expect(critical.getCell(2).value).toBe(2)
    expect(critical.getCell(3).value).toBe(RESULT.gaps.filter((g) => g.severity === 'critical').length)
    const total = rowLabelled(ws, 'Total', counts)
    expect(total.getCell(2).value).toBe(2)
    expect(total.getCell(3).value).toBe(RESULT.gaps.length)
    expect(total.getCell(4).value).toBe(1)
  })

  it('shows what the cap of a group of factors took off (rubric 2026.2), and says so on the method sheet', async () => {
    const current = compiled('employer')
    const result = run('employer', bestAnswers(current.cq), { evidence: current.cq.entries.map((e) => e.question.id) })
    const wb = (
      await readBack(
        reportInput({
          result,
          rubric: { id: rubric2026.id, version: rubric2026.version, revision: 4, rubric: rubric2026 },
          questionnaire: {
            id: 'employer',
            title: t(current.cq.def.title),
            version: current.cq.def.version,
            revision: 2,
            def: current.cq.def,
          },
        }),
      )
    ).wb
    const g = result.inherent.groups?.[0]
    expect(g?.removed).toBeGreaterThan(0)
    const row = rowLabelled(sheet(wb, 'Summary'), `${g?.label}: capped at ${g?.cap}`)
    expect(row.getCell(2).value).toBe(-(g?.removed ?? 0))
    expect(row.getCell(3).value).toBe(`${g?.raw} points from its factors`)
    const method = allText(sheet(wb, 'Method'))
    expect(method).toContain(
      `${g?.label} (migrant share, recruitment channels, tied permits, employer accommodation) counts at most ${g?.cap} in all.`,
    )
    expect(method).toContain("A recruiter's countries are those of its routes, not its head office.")
  })

  it('frames the list sheets: frozen header, filter, landscape print one page wide with the header repeated', () => {
    for (const name of ['Top actions', 'Red flags', 'Action plan', 'Answers']) {
      const ws = sheet(wb, name)
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 })
      expect(String(ws.autoFilter)).toMatch(/^A3:[A-Z]+\d+$/)
      expect(ws.pageSetup).toMatchObject({
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        printTitlesRow: '3:3',
      })
      expect(ws.getColumn(3).width).toBeGreaterThan(8)
    }
    for (const name of ['Summary', 'Method']) {
      expect(sheet(wb, name).pageSetup).toMatchObject({ orientation: 'landscape', fitToPage: true, fitToWidth: 1 })
    }
  })

  it('lists every red flag under its indicator, with why it matters and the immediate action', () => {
    const ws = sheet(wb, 'Red flags')
    expect(headers(ws)).toEqual([
      'Indicator of forced labour',
      'Answers raising it',
      'Status',
      'Escalates alone',
      'Severity',
      'Questions and answers',
      'Why it matters',
      'Immediate action',
      'Timeframe',
      'Days',
    ])
    // Two red flags of two different indicators: two rows.
    expect(ws.rowCount).toBe(3 + 2)
    for (const f of RESULT.redFlags) {
      const row = rowOfQuestion(ws, f.indicatorLabel)
      expect(row.getCell(2).value).toBe(1)
      expect(row.getCell(3).value).toBe('1 active')
      expect(row.getCell(4).value).toBe('No')
      expect(row.getCell(5).value).toBe('Critical')
      expect(String(row.getCell(6).value)).toMatch(new RegExp(`^${f.question.replace('.', '\\.')} .* — `))
      expect(String(row.getCell(6).value).endsWith(` — ${f.answerLabel}`)).toBe(true)
      expect(row.getCell(7).value).toBe(f.why)
      expect(row.getCell(8).value).toBe(f.action)
      expect(row.getCell(10).value).toBe(f.days)
    }
  })

  it('opens on the top actions, red flags first, each with why, questions, deadline and standard', () => {
    const ws = sheet(wb, 'Top actions')
    expect(headers(ws)).toEqual([
      '#',
      'What to do',
      'Why: the red flag or gap it answers',
      'Questions',
      'Severity',
      'Timeframe',
      'Days',
      'Due date',
      'Standard',
      'Action plan status',
    ])
    expect(String(ws.getCell('A2').value)).toMatch(/^Ranked by urgency: red flags that raise the rating by themselves/)
    expect(String(ws.getCell('A2').value)).toMatch(/All 5 actions \(5 gaps\)/)
    // Five gaps, five different actions: all of them, the two red flags first, then by severity.
    expect(ws.rowCount).toBe(3 + 5)
    const questions = [4, 5, 6, 7, 8].map((r) => ws.getRow(r).getCell(4).value)
    expect(questions.slice(0, 2).sort()).toEqual(['A6.1', 'A7.2'])
    const first = ws.getRow(4)
    const gap = RESULT.gaps.find((g) => g.question === first.getCell(4).value) as ScoreResult['gaps'][number]
    expect(first.getCell(1).value).toBe(1)
    expect(first.getCell(2).value).toBe(gap.action)
    expect(String(first.getCell(3).value)).toMatch(/^Red flag: /)
    expect(first.getCell(5).value).toBe('Critical')
    expect(first.getCell(7).value).toBe(gap.days)
    const action = reportInput().actions.find((a) => a.question === gap.question) as ActionItem
    expect(isoDay(first.getCell(8).value as Date)).toBe(action.dueDate)
    expect(first.getCell(9).value).toBe(gap.sources.join('\n'))
    expect(first.getCell(10).value).toBe(action.status === 'in_progress' ? 'In progress' : 'Open')
    const gapsAfter = [6, 7, 8].map((r) => String(ws.getRow(r).getCell(3).value))
    for (const why of gapsAfter) expect(why).toMatch(/^Gap/)
  })

  it('writes the action plan by section under headings that count the gaps, with hidden ids and real dates', () => {
    const ws = sheet(wb, 'Action plan')
    expect(headers(ws)).toEqual(ACTION_PLAN_COLUMNS.map((c) => c.header))
    expect(ws.getColumn(1).hidden).toBe(true)
    expect(ws.getColumn(ACTION_PLAN_COLUMNS.length).hidden).toBe(true)
    expect(ws.getCell('A1').value).toBe(42)
    // Sections in questionnaire order, each under its heading; the heading is folded into the outline.
    const listed = Array.from({ length: ws.rowCount - 3 }, (_, i) => ws.getRow(4 + i))
    expect(listed.map((r) => r.getCell(2).value)).toEqual([
      'A1 Governance, policy and accountability — 2 gaps',
      'A1.4',
      'A1.5',
      'A6 Identity documents and freedom of movement — 1 gap, 1 red flag',
      'A6.1',
      'A7 Wages, deductions, debt and working time — 1 gap, 1 red flag',
      'A7.2',
      'A9 Grievance mechanism and remedy — 1 gap',
      'A9.2',
    ])
    expect(listed.map((r) => r.getCell(1).value === 'section')).toEqual([
      true,
      false,
      false,
      true,
      false,
      true,
      false,
      true,
      false,
    ])
    expect(listed.map((r) => r.outlineLevel ?? 0)).toEqual([0, 1, 1, 0, 1, 0, 1, 0, 1])
    const actions = reportInput().actions
    RESULT.gaps.forEach((g) => {
      const row = rowOfQuestion(ws, g.question, 2)
      const action = actions.find((a) => a.question === g.question) as ActionItem
      expect(row.getCell(2).value).toBe(g.question)
      expect(row.getCell(1).value).toBe(action.id)
      expect(row.getCell(6).value).toBe(g.severity.charAt(0).toUpperCase() + g.severity.slice(1))
      expect(row.getCell(7).value).toBe(
        g.redFlag ? RESULT.redFlags.find((f) => f.question === g.question)?.indicatorLabel : null,
      )
      expect(row.getCell(10).value).toBe(g.action)
      const due = row.getCell(13).value
      expect(due).toBeInstanceOf(Date)
      expect(isoDay(due as Date)).toBe(action.dueDate)
      expect(row.getCell(14).value).toBe(action.status === 'in_progress' ? 'In progress' : 'Open')
    })
    // The first action of the stored plan (the engine's first gap) carries the owner and notes.
    const first = rowOfQuestion(ws, RESULT.gaps[0]?.question as string, 2)
    expect(first.getCell(12).value).toBe('HR manager')
    expect(first.getCell(15).value).toBe("'=not a formula")
  })

  it('offers the status as a drop-down list and checks due dates on every action row', () => {
    const ws = sheet(wb, 'Action plan')
    for (const r of RESULT.gaps.map((g) => rowOfQuestion(ws, g.question, 2).number)) {
      expect(ws.getCell(`N${r}`).dataValidation).toMatchObject({
        type: 'list',
        formulae: ['"Open,In progress,Done,Verified"'],
        showErrorMessage: true,
      })
      expect(ws.getCell(`M${r}`).dataValidation).toMatchObject({ type: 'date', operator: 'between', allowBlank: true })
      expect(ws.getCell(`M${r}`).numFmt).toBe('yyyy-mm-dd')
    }
  })

  it('lists every answer, numbers as numbers and dates as dates, with comment, evidence and verification', () => {
    const ws = sheet(wb, 'Answers')
    expect(ws.rowCount).toBe(3 + cq.entries.length)
    expect(rowOfQuestion(ws, 'A0.3').getCell(4).value).toBe(400)
    expect(rowOfQuestion(ws, 'A0.1').getCell(4).value).toBe('Thailand')
    expect(rowOfQuestion(ws, 'A0.3d').getCell(4).value).toBe('Not answered')
    expect(rowOfQuestion(ws, 'A1.4').getCell(4).value).toBe('No')
    expect(rowOfQuestion(ws, 'A1.4').getCell(9).value).toBe(0)
    expect(rowOfQuestion(ws, 'A1.5').getCell(9).value).toBe(0.5)
    expect(rowOfQuestion(ws, 'A1.4').getCell(6).value).toBe('A1.4-policy.pdf')
    expect(rowOfQuestion(ws, 'A6.3').getCell(7).value).toBe('Worker interview')
    expect(rowOfQuestion(ws, 'A8.5').getCell(6).value).toBeNull()
    expect(rowOfQuestion(ws, 'A8.5').getCell(10).value).toMatch(/needs evidence/)
  })

  it('works for the recruiter questionnaire too, with date answers as date cells', async () => {
    const recruiter = compiled('recruiter').cq
    const answers: Answers = { ...bestAnswers(recruiter, {}), 'B0.5': '2027-06-30' }
    const result = run('recruiter', answers)
    const input = reportInput({
      questionnaire: {
        id: 'recruiter',
        title: t(recruiter.def.title),
        version: recruiter.def.version,
        revision: 1,
        def: recruiter.def,
      },
      result,
      answers: new Map(Object.entries(answers).map(([q, value]) => [q, { value }])),
      evidence: new Map(),
      verified: new Map(),
      actions: [],
    })
    const back = (await readBack(input)).wb
    const ws = sheet(back, 'Answers')
    expect(ws.rowCount).toBe(3 + recruiter.entries.length)
    expect(rowOfQuestion(ws, 'B0.5').getCell(4).value).toEqual(new Date('2027-06-30T00:00:00Z'))
    expect(rowOfQuestion(ws, 'B0.5').getCell(4).numFmt).toBe('yyyy-mm-dd')
    const sections = new Set(result.gaps.map((g) => g.section)).size
    expect(sheet(back, 'Action plan').rowCount).toBe(3 + Math.max(1, result.gaps.length + sections))
  })

  it('explains the method, with the rubric version, weights, bands, matrix and the caveat', () => {
    const ws = sheet(wb, 'Method')
    const text = allText(ws)
    expect(text).toContain(
      'These are indicators of forced-labour risk from a self-assessment, not findings of forced labour.',
    )
    expect(text).toContain(`version ${rubric.version}, revision 3`)
    expect(text).toContain(RESULT.rubric.hash)
    const weights = rowLabelled(ws, 'Severity').number
    expect(ws.getRow(weights + 1).getCell(1).value).toBe('Critical')
    expect(ws.getRow(weights + 1).getCell(2).value).toBe(rubric.severity_weights.critical)
    expect(rowLabelled(ws, 'A3 Recruitment fees and related costs').getCell(2).value).toBe(20)
    expect(rowLabelled(ws, 'Strong').getCell(2).value).toBe(rubric.control_bands.strong)
    const matrix = rowLabelled(ws, 'Inherent risk \\ control').number
    expect(ws.getRow(matrix + 1).getCell(1).value).toBe('High')
    expect(ws.getRow(matrix + 1).getCell(5).value).toBe('Critical')
  })

  it('never writes a formula: text starting with =, +, -, @, tab or CR is read back as a string', () => {
    for (const ws of wb.worksheets) {
      ws.eachRow((row) => {
        row.eachCell((cell) => {
          expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)
          expect(cell.formula).toBeUndefined()
        })
      })
    }
    const ws = sheet(wb, 'Answers')
    DANGEROUS_QUESTIONS.forEach((q, i) => {
      const cell = rowOfQuestion(ws, q).getCell(5)
      const original = DANGEROUS[i] as string
      expect(cell.type).toBe(ExcelJS.ValueType.String)
      expect(String(cell.value).startsWith("'")).toBe(true)
      // XML turns a lone carriage return into a line feed; the text stays quoted either way.
      expect(unquoteText(String(cell.value)).replace(/^'/, '')).toBe(original.replace('\r', '\n'))
    })
    const answer = rowOfQuestion(ws, 'A0.4').getCell(4)
    expect(answer.type).toBe(ExcelJS.ValueType.String)
    expect(answer.value).toBe(safeText(FORMULA_ANSWER))
    expect(unquoteText(String(answer.value))).toBe(FORMULA_ANSWER)
  })

  it('cuts a 40,000-character comment to the cell limit, with a marker', () => {
    const cell = rowOfQuestion(sheet(wb, 'Answers'), 'A2.1').getCell(5)
    expect(String(cell.value)).toHaveLength(EXCEL_CELL_LIMIT)
    expect(String(cell.value).endsWith('[…truncated]')).toBe(true)
  })

  it('guards text of the organisation, footers and properties too', async () => {
    const input = reportInput({ organisation: { name: '=HYPERLINK("http://x")&Co', site: '@site' } })
    const { wb: back } = await readBack(input)
    const summary = sheet(back, 'Summary')
    expect(summary.getCell('A1').value).toBe('Gap report: =HYPERLINK("http://x")&Co')
    expect(rowLabelled(summary, 'Organisation').getCell(2).value).toBe(`'=HYPERLINK("http://x")&Co`)
    expect(rowLabelled(summary, 'Site').getCell(2).value).toBe("'@site")
    expect(summary.headerFooter.oddFooter).toContain('&&Co')
  })

  it('without a stored plan, lists the gaps as open, due after their suggested days, and without ids', async () => {
    const ws = sheet((await readBack(reportInput({ actions: [] }))).wb, 'Action plan')
    RESULT.gaps.forEach((g) => {
      const row = rowOfQuestion(ws, g.question, 2)
      expect(row.getCell(1).value).toBeNull()
      expect(row.getCell(2).value).toBe(g.question)
      expect(row.getCell(14).value).toBe('Open')
      expect(row.getCell(13).value).toEqual(g.days === null ? null : addDays(GENERATED, g.days))
    })
    expect(String(ws.getCell('B2').value)).toMatch(/cannot be uploaded back/)
  })

  it('keeps a gap the stored plan lacks, and an action whose gap has since closed', async () => {
    const actions = reportInput()
      .actions.filter((a) => a.question !== 'A1.5')
      .concat({ id: 900, question: 'A2.1', owner: 'Ops', dueDate: null, status: 'done', notes: null })
    const ws = sheet((await readBack(reportInput({ actions }))).wb, 'Action plan')
    const a15 = rowOfQuestion(ws, 'A1.5', 2)
    expect(a15.getCell(1).value).toBeNull()
    expect(a15.getCell(14).value).toBe('Open')
    // The closed one stays in its section, which says so, and is not counted as a gap.
    const closed = rowOfQuestion(ws, 'A2.1', 2)
    expect(closed.getCell(1).value).toBe(900)
    expect(closed.getCell(5).value).toMatch(/\(no longer a gap\)$/)
    const heading = ws.getRow(closed.number - 1)
    expect(heading.getCell(1).value).toBe('section')
    expect(heading.getCell(2).value).toMatch(/^A2 .* — 0 gaps; 1 earlier action no longer a gap$/)
    expect(String(ws.getCell('B2').value)).toMatch(/cannot be uploaded back/)
  })

  it('says so when there are no red flags and no gaps', async () => {
    const clean = run('employer', bestAnswers(cq), {
      version: '2026.1',
      evidence: cq.entries.map((e) => e.question.id),
    })
    expect(clean.gaps).toEqual([])
    const { wb: back } = await readBack(reportInput({ result: clean, actions: [] }))
    expect(sheet(back, 'Red flags').getCell('A4').value).toMatch(/No answer in this assessment is a red flag/)
    expect(sheet(back, 'Action plan').getCell('B4').value).toMatch(/No gaps/)
    expect(sheet(back, 'Top actions').getCell('B4').value).toMatch(/^Nothing to do/)
    expect(sheet(back, 'Top actions').rowCount).toBe(4)
    expect(rowLabelled(sheet(back, 'Summary'), 'Risk rating').getCell(2).value).toBe(clean.rating.toUpperCase())
  })
})

describe('gap report in LibreOffice', () => {
  it.skipIf(OFFICE === null)(
    'converts to PDF without complaint',
    async () => {
      const res = convertToPdf((await readBack(reportInput())).buffer, 'gap-report')
      expect(res.status, res.stderr).toBe(0)
      expect(res.pdf).toBe(true)
    },
    120_000,
  )
})
