import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { t } from '../../src/questionnaire/text.ts'
import type { GapTypeKey } from '../../src/questionnaire/vocabulary.ts'
import { parseActionPlanUpload } from '../../src/reports/action-plan/parse.ts'
import {
  type ActionItem,
  buildGapReport,
  GAP_REPORT_SHEETS,
  type GapReportInput,
} from '../../src/reports/gap-report/build.ts'
import type { ScoreResult } from '../../src/scoring/result.schema.ts'
import { type Answers, bestAnswers, compiled, RUBRIC_2026_1 as rubric, run as runShipped } from '../helpers/scoring.ts'

/**
 * The gap report an auditor found unreadable: the eighteen cost-of-recruitment lines (A3.2a to A3.2r) all
 * answered "workers paid", each a red flag with the same action, among other gaps. Read back with exceljs
 * as a reader's spreadsheet program would.
 */

// A 2026.1 result (the 18 cost lines of that version); G20 gaps are added by hand below.
const { cq } = compiled('employer', '2026.1')
const run = (id: string, answers: Answers, opts: Parameters<typeof runShipped>[2] = {}) =>
  runShipped(id, answers, { version: '2026.1', ...opts })
const COST_LINES = cq.entries.map((e) => e.question.id).filter((q) => /^A3\.2[a-r]$/.test(q))
const GENERATED = new Date('2026-02-01T09:00:00Z')
const ASSESSMENT = 77

/** Governance and recruiter questions answered with their worst answer that is not a red flag. */
const OTHER_GAPS: Answers = Object.fromEntries(
  cq.entries
    .filter((e) => e.scored && /^A[12]\./.test(e.question.id))
    .flatMap((e) => {
      if (e.question.type === 'scale') return e.question.red_flags?.no ? [] : [[e.question.id, 'no']]
      if (e.question.type !== 'single') return []
      const worst = e.choices.find((c) => !c.red_flag && !c.dont_know && !c.not_applicable && (c.credit ?? 1) === 0)
      return worst ? [[e.question.id, worst.id]] : []
    }),
)

const ANSWERS: Answers = {
  ...bestAnswers(cq),
  ...OTHER_GAPS,
  ...Object.fromEntries(COST_LINES.map((q) => [q, 'worker_paid'])),
  'A6.1': 'held_released_on_request',
  'A7.2': 'yes',
}
const RESULT = run('employer', ANSWERS, { evidence: cq.entries.map((e) => e.question.id) })

function actionsFor(result: ScoreResult): ActionItem[] {
  return result.gaps.map((g, i) => ({
    id: 1000 + i,
    question: g.question,
    owner: null,
    dueDate: g.days === null ? null : '2026-03-01',
    status: 'open' as const,
    notes: null,
  }))
}

function input(overrides: Partial<GapReportInput> = {}): GapReportInput {
  const result = overrides.result ?? RESULT
  return {
    organisation: { name: 'Penang Electronics', country: 'MY', sector: 'electronics' },
    assessment: { id: ASSESSMENT, status: 'submitted', createdAt: '2026-01-10T08:30:00.000Z' },
    questionnaire: { id: 'employer', title: t(cq.def.title), version: cq.def.version, revision: 1, def: cq.def },
    rubric: { id: rubric.id, version: rubric.version, revision: 1, rubric },
    result,
    answers: new Map(Object.entries(ANSWERS).map(([q, value]) => [q, { value }])),
    evidence: new Map(),
    verified: new Map(),
    actions: actionsFor(result),
    generatedAt: GENERATED,
    ...overrides,
  }
}

async function readBack(i: GapReportInput): Promise<{ wb: ExcelJS.Workbook; buffer: Buffer }> {
  const buffer = Buffer.from(await buildGapReport(i).xlsx.writeBuffer())
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(buffer as unknown as ArrayBuffer)
  return { wb, buffer }
}

function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name)
  if (!ws) throw new Error(`no sheet ${name}`)
  return ws
}

/** The rows under the header of a list sheet. */
function body(ws: ExcelJS.Worksheet): ExcelJS.Row[] {
  return Array.from({ length: ws.rowCount - 3 }, (_, i) => ws.getRow(4 + i))
}

const text = (cell: ExcelJS.Cell): string => String(cell.value ?? '')
const SEVERITY = ['Critical', 'High', 'Medium', 'Low']

describe('gap report with the eighteen cost lines flagged', () => {
  it('has the scenario the auditor described', () => {
    expect(COST_LINES).toHaveLength(18)
    const flagged = RESULT.redFlags.filter((f) => COST_LINES.includes(f.question))
    expect(flagged).toHaveLength(18)
    expect(new Set(flagged.map((f) => f.indicator))).toEqual(new Set(['debt_bondage']))
    // One action for all eighteen, and more actions in all than the ten the sheet shows.
    expect(new Set(RESULT.gaps.filter((g) => COST_LINES.includes(g.question)).map((g) => g.action)).size).toBe(1)
    expect(new Set(RESULT.gaps.map((g) => g.action)).size).toBeGreaterThan(10)
  })

  it('opens on at most ten top actions; the cost-line action is one row listing all eighteen questions', async () => {
    const { wb } = await readBack(input())
    expect(wb.worksheets.map((w) => w.name)).toEqual([...GAP_REPORT_SHEETS])
    const ws = wb.worksheets[0] as ExcelJS.Worksheet
    expect(ws.name).toBe('Top actions')
    const actions = new Set(RESULT.gaps.map((g) => g.action)).size
    expect(text(ws.getCell('A2'))).toMatch(/^Ranked by urgency: /)
    expect(text(ws.getCell('A2'))).toContain(`The 10 most urgent of ${actions} actions (${RESULT.gaps.length} gaps)`)

    const rows = body(ws)
    expect(rows).toHaveLength(10)
    expect(rows.map((r) => r.getCell(1).value)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    const costAction = RESULT.gaps.find((g) => g.question === 'A3.2a')?.action
    const cost = rows.filter((r) => r.getCell(2).value === costAction)
    expect(cost).toHaveLength(1)
    const row = cost[0] as ExcelJS.Row
    expect(text(row.getCell(4)).split(', ')).toEqual(COST_LINES)
    expect(text(row.getCell(3))).toMatch(/^Red flag: Debt bondage \(18 active\)\. /)
    expect(row.getCell(5).value).toBe('High')
    expect(row.getCell(7).value).toBe(1)
    expect(row.getCell(8).value).toEqual(new Date('2026-03-01T00:00:00Z'))
    expect(text(row.getCell(9))).toContain('ILO-DEF recruitment fees')
    expect(row.getCell(10).value).toBe('Open')
    // No other row repeats a cost line.
    for (const other of rows.filter((r) => r !== row)) {
      expect(
        text(other.getCell(4))
          .split(', ')
          .some((q) => COST_LINES.includes(q)),
      ).toBe(false)
    }
  })

  it('ranks red flags first, then the gaps by severity, then by deadline', async () => {
    const rows = body(sheet((await readBack(input())).wb, 'Top actions'))
    const flags = rows.filter((r) => text(r.getCell(3)).startsWith('Red flag'))
    // A6.1 and A7.2 (critical) and the cost lines (high): the three red-flag actions, first.
    expect(flags).toHaveLength(3)
    expect(rows.slice(0, 3)).toEqual(flags)
    expect(text(rows[2]?.getCell(4) as ExcelJS.Cell).startsWith('A3.2a')).toBe(true)
    const rest = rows.slice(3).map((r) => [SEVERITY.indexOf(text(r.getCell(5))), Number(r.getCell(7).value)])
    for (let i = 1; i < rest.length; i++) {
      const [sev, days] = rest[i] as number[]
      const [prevSev, prevDays] = rest[i - 1] as number[]
      expect(sev).toBeGreaterThanOrEqual(prevSev as number)
      if (sev === prevSev) expect(days).toBeGreaterThanOrEqual(prevDays as number)
    }
  })

  it('gives the Red flags sheet one row per indicator, with the count and every answer listed', async () => {
    const ws = sheet((await readBack(input())).wb, 'Red flags')
    const rows = body(ws)
    const indicators = new Set(RESULT.redFlags.map((f) => f.indicatorLabel))
    expect(rows.map((r) => r.getCell(1).value).sort()).toEqual([...indicators].sort())
    for (const r of rows) {
      const flags = RESULT.redFlags.filter((f) => f.indicatorLabel === r.getCell(1).value)
      expect(r.getCell(2).value).toBe(flags.length)
      const lines = text(r.getCell(6)).split('\n')
      expect(lines.map((l) => l.split(' ')[0])).toEqual(flags.map((f) => f.question))
    }
    const debt = rows.find((r) => r.getCell(1).value === 'Debt bondage') as ExcelJS.Row
    expect(debt.getCell(2).value).toBe(18)
    expect(debt.getCell(3).value).toBe('18 active')
    const lines = text(debt.getCell(6)).split('\n')
    expect(lines[0]).toBe("A3.2a Recruitment agency's service fee: who paid… — Workers paid and were not reimbursed")
    // Long question texts are shortened; the answer is kept whole.
    expect(lines.find((l) => l.startsWith('A3.2d '))).toMatch(
      /^A3\.2d .{1,44}… — Workers paid and were not reimbursed$/,
    )
    expect(debt.getCell(8).value).toBe(RESULT.redFlags.find((f) => f.question === 'A3.2a')?.action)
    // The Summary lists the indicators too, the eighteen as one range.
    const summary = sheet((await readBack(input())).wb, 'Summary')
    let found = ''
    summary.eachRow((row) => {
      if (row.getCell(1).value === 'Debt bondage') found = text(row.getCell(2))
    })
    expect(found).toMatch(/^18 answers \(A3\.2a to A3\.2r\): 18 active\./)
  })

  it('groups the action plan by section; the heading counts add up to the gaps and red flags', async () => {
    const ws = sheet((await readBack(input())).wb, 'Action plan')
    const rows = body(ws)
    const headings = rows.filter((r) => r.getCell(1).value === 'section')
    let gaps = 0
    let flags = 0
    for (const [i, h] of headings.entries()) {
      const m = /^(A\d+) .+ — (\d+) gaps?(?:, (\d+) red flags?)?$/.exec(text(h.getCell(2)))
      expect(m, text(h.getCell(2))).not.toBeNull()
      const [, section, n, f] = m as RegExpExecArray
      const next = headings[i + 1]?.number ?? ws.rowCount + 1
      const under = rows.filter((r) => r.number > h.number && r.number < next)
      expect(under.length).toBe(Number(n))
      expect(under.every((r) => text(r.getCell(2)).startsWith(`${section}.`))).toBe(true)
      expect(under.every((r) => r.outlineLevel === 1)).toBe(true)
      gaps += Number(n)
      flags += Number(f ?? 0)
    }
    expect(gaps).toBe(RESULT.gaps.length)
    expect(flags).toBe(RESULT.gaps.filter((g) => g.redFlag).length)
    const fees = headings.find((h) => text(h.getCell(2)).startsWith('A3 '))
    expect(text(fees?.getCell(2) as ExcelJS.Cell)).toBe('A3 Recruitment fees and related costs — 18 gaps, 18 red flags')
  })

  it('still uploads back: untouched it changes nothing, and an edit under a heading is read', async () => {
    const { wb, buffer } = await readBack(input())
    const expected = { assessmentId: ASSESSMENT, actions: input().actions }
    expect(await parseActionPlanUpload(buffer, expected)).toEqual({ changes: [], errors: [] })
    const ws = sheet(wb, 'Action plan')
    const row = body(ws).find((r) => r.getCell(2).value === 'A3.2k') as ExcelJS.Row
    row.getCell(12).value = 'Recruitment lead'
    row.getCell(14).value = 'In progress'
    const id = expected.actions.find((a) => a.question === 'A3.2k')?.id
    const edited = Buffer.from(await wb.xlsx.writeBuffer())
    expect(await parseActionPlanUpload(edited, expected)).toEqual({
      changes: [{ id, owner: 'Recruitment lead', status: 'in_progress' }],
      errors: [],
    })
  })

  it('guards every text cell it writes against formula injection', async () => {
    const hostile: ScoreResult = {
      ...RESULT,
      gaps: RESULT.gaps.map((g) => (g.question === 'A6.1' ? { ...g, action: '=HYPERLINK("http://x")' } : g)),
      redFlags: RESULT.redFlags.map((f) => (f.question === 'A6.1' ? { ...f, indicatorLabel: '+cmd|calc' } : f)),
    }
    const { wb } = await readBack(input({ result: hostile }))
    for (const ws of wb.worksheets) {
      ws.eachRow((row) => {
        row.eachCell((cell) => {
          expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)
          if (typeof cell.value === 'string') expect(cell.value).not.toMatch(/^[=+\-@]/)
        })
      })
    }
    const top = body(sheet(wb, 'Top actions')).find((r) => r.getCell(4).value === 'A6.1') as ExcelJS.Row
    expect(top.getCell(2).value).toBe(`'=HYPERLINK("http://x")`)
    expect(text(top.getCell(3))).toMatch(/^Red flag: \+cmd\|calc \(1 active\)/)
    const flags = body(sheet(wb, 'Red flags')).map((r) => r.getCell(1).value)
    expect(flags).toContain("'+cmd|calc")
  })
})

describe('top actions ranking', () => {
  it('puts escalating red flags first, then active ones, unverified critical claims, downgraded ones, then gaps', async () => {
    // A6.3 confined escalates alone; A6.1 held is active; the fees (A3.1, critical) and the cost lines (high)
    // are downgraded by a dated repayment plan.
    const answers: Answers = {
      ...bestAnswers(cq),
      ...Object.fromEntries(COST_LINES.map((q) => [q, 'worker_paid'])),
      'A3.1': 'yes_some',
      'A3.8': 'dated_plan',
      'A6.3': 'confined',
      'A6.1': 'held_released_on_request',
      'A1.4': 'no',
    }
    const scored = run('employer', answers, { evidence: cq.entries.map((e) => e.question.id) })
    expect(scored.redFlags.find((f) => f.question === 'A6.3')?.escalates).toBe(true)
    expect(scored.redFlags.find((f) => f.question === 'A3.2a')?.status).toBe('downgraded')
    // A verification gap as the engine may soon send it (gap type G20, not in the vocabulary yet), on a
    // critical question, and one on a high question.
    const critical = cq.entries.find(
      (e) => e.question.severity === 'critical' && !scored.gaps.some((g) => g.question === e.question.id),
    )
    const high = cq.entries.find(
      (e) => e.question.severity === 'high' && !scored.gaps.some((g) => g.question === e.question.id),
    )
    if (!critical || !high) throw new Error('no unflagged questions to use')
    const verification = (e: typeof critical, severity: 'critical' | 'high') => ({
      question: e.question.id,
      section: e.section.id,
      sectionTitle: t(e.section.title),
      questionText: t(e.question.text),
      answer: 'yes',
      answerLabel: 'Yes',
      credit: 0.5,
      severity,
      redFlag: false,
      redFlagStatus: null,
      dontKnow: false,
      gapType: 'G20' as GapTypeKey,
      action: `Verify the claim of ${e.question.id} with documents or worker interviews.`,
      timeframe: 'Within 30 days',
      days: 30,
      sources: [],
    })
    const result: ScoreResult = {
      ...scored,
      gaps: [...scored.gaps, verification(critical, 'critical'), verification(high, 'high')],
    }
    const { wb, buffer } = await readBack(input({ result }))
    const rows = body(sheet(wb, 'Top actions'))
    const firstQuestion = (r: ExcelJS.Row) => text(r.getCell(4)).split(', ')[0]
    const order = rows.map(firstQuestion)
    expect(order.slice(0, 5)).toEqual(['A6.3', 'A6.1', critical.question.id, 'A3.1', 'A3.2a'])
    expect(text(rows[0]?.getCell(3) as ExcelJS.Cell)).toMatch(/raises the rating by itself/)
    expect(text(rows[1]?.getCell(3) as ExcelJS.Cell)).not.toMatch(/raises the rating by itself/)
    expect(text(rows[2]?.getCell(3) as ExcelJS.Cell)).toMatch(/^Claim not yet verified on a critical question/)
    expect(text(rows[4]?.getCell(3) as ExcelJS.Cell)).toMatch(/^Red flag: Debt bondage \(18 downgraded\)/)
    // The high one ranks with the other gaps, and its unknown type shows as its key.
    expect(order.indexOf(high.question.id)).toBeGreaterThan(4)
    expect(text(rows[order.indexOf(high.question.id)]?.getCell(3) as ExcelJS.Cell)).toBe(
      'Gap: G20 Claim not yet verified. Answer: Yes.',
    )
    const plan = body(sheet(wb, 'Action plan'))
    expect(plan.find((r) => r.getCell(2).value === critical.question.id)?.getCell(8).value).toBe(
      'G20 Claim not yet verified',
    )
    // The Red flags sheet shows each flag's status where they differ.
    const debt = body(sheet(wb, 'Red flags')).find((r) => r.getCell(1).value === 'Debt bondage') as ExcelJS.Row
    expect(debt.getCell(3).value).toBe('19 downgraded (A3.8: repayment under way on a dated plan)')
    expect(debt.getCell(4).value).toBe('No')
    // And the plan still uploads back.
    expect(await parseActionPlanUpload(buffer, { assessmentId: ASSESSMENT, actions: actionsFor(result) })).toEqual({
      changes: [],
      errors: [],
    })
  })

  it('shows what there is when there are fewer than ten actions', async () => {
    const answers: Answers = { ...bestAnswers(cq), 'A1.4': 'no', 'A9.2': 'dont_know' }
    const result = run('employer', answers, { evidence: cq.entries.map((e) => e.question.id) })
    const ws = sheet((await readBack(input({ result }))).wb, 'Top actions')
    expect(body(ws)).toHaveLength(result.gaps.length)
    expect(text(ws.getCell('A2'))).toContain(`All ${result.gaps.length} actions (${result.gaps.length} gaps)`)
  })

  it('lists mixed statuses answer by answer, and a reviewer’s suspected red flag under its indicator', async () => {
    const answers: Answers = {
      ...bestAnswers(cq),
      'A3.1': 'yes_some',
      'A3.2a': 'worker_paid',
      'A3.2b': 'worker_paid',
      'A3.5': 'yes',
      'A3.8': 'dated_plan',
    }
    const result = run('employer', answers, {
      evidence: cq.entries.map((e) => e.question.id),
      suspected: [{ reason: 'Workers mentioned loans to a broker' }],
    })
    const suspected: ScoreResult = {
      ...result,
      suspectedFlags: [{ question: 'A3.7', indicator: 'debt_bondage', reason: 'Workers mentioned loans to a broker' }],
    }
    const ws = sheet((await readBack(input({ result: suspected }))).wb, 'Red flags')
    const debt = body(ws).find((r) => r.getCell(1).value === 'Debt bondage') as ExcelJS.Row
    const flags = result.redFlags.filter((f) => f.indicator === 'debt_bondage')
    expect(new Set(flags.map((f) => f.status))).toEqual(new Set(['active', 'downgraded']))
    expect(debt.getCell(2).value).toBe(flags.length)
    expect(text(debt.getCell(3))).toMatch(/active.*downgraded \(A3\.8: .*\), 1 suspected by a reviewer$/)
    const lines = text(debt.getCell(6)).split('\n')
    expect(lines.find((l) => l.startsWith('A3.2a '))).toMatch(/ \(downgraded\)$/)
    expect(lines.find((l) => l.startsWith('A3.5 '))).toMatch(/ \(active\)$/)
    expect(lines.at(-1)).toBe('Suspected by a reviewer (A3.7): Workers mentioned loans to a broker')
  })
})
