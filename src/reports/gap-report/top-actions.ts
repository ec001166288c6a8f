import type ExcelJS from 'exceljs'
import type { Severity } from '../../questionnaire/vocabulary.ts'
import type { Gap } from '../../scoring/result.schema.ts'
import { type ActionStatus, STATUS_LABELS } from '../action-plan/layout.ts'
import { addDaysUtc, DATE_FORMAT, dateCell, SEVERITY_SWATCHES } from '../xlsx/style.ts'
import { type TableColumn, writeTable } from '../xlsx/table.ts'
import { distinct, type GapContext, gapTypeLabel, plural, SEVERITY_RANK, statusCounts } from './context.ts'
import { compareUrgency, RANKING_TEXT, tierOf, type UrgencyKey, urgencyOf } from './urgency.ts'

/**
 * The Top actions sheet, the first a reader sees: the ten actions that matter most. Questions that call for
 * the same action (the eighteen cost-of-recruitment lines share one) are one action listing all of them, so
 * a report with a hundred gaps still opens on a short list of things to do.
 */

export const TOP_ACTIONS = 10

export type TopAction = {
  action: string
  why: string
  /** In questionnaire order. */
  questions: string[]
  severity: Severity
  timeframe: string
  days: number | null
  /** The earliest due date of its rows in the Action plan sheet (stored, or suggested from the days). */
  dueDate: Date | null
  standards: string[]
  planStatus: string
  urgency: UrgencyKey
}

/** Every action of the report, most urgent first (the sheet shows the first TOP_ACTIONS). */
export function rankedActions(ctx: GapContext): TopAction[] {
  const groups = new Map<string, Gap[]>()
  for (const g of ctx.input.result.gaps) {
    // Same words, same action; a gap without an action text stands alone rather than joining the others.
    const text = g.action.replace(/\s+/g, ' ').trim()
    const key = text ? `action:${text}` : `question:${g.question}`
    groups.set(key, [...(groups.get(key) ?? []), g])
  }
  return [...groups.values()]
    .map((members) => topAction(ctx, members))
    .sort((a, b) => compareUrgency(a.urgency, b.urgency))
}

function topAction(ctx: GapContext, members: Gap[]): TopAction {
  const ranked = members
    .map((g) => ({ g, urgency: urgencyOf(ctx, g) }))
    .sort((a, b) => compareUrgency(a.urgency, b.urgency))
  const first = ranked[0] as { g: Gap; urgency: UrgencyKey }
  const byOrder = [...members].sort((a, b) => (ctx.order.get(a.question) ?? 0) - (ctx.order.get(b.question) ?? 0))
  const soonest = members.reduce<Gap>(
    (a, g) => (g.days !== null && (a.days === null || g.days < a.days) ? g : a),
    first.g,
  )
  return {
    action: first.g.action || `Review the answer to ${first.g.question}: the questionnaire sets no action for it.`,
    why: whyOf(ctx, members),
    questions: byOrder.map((g) => g.question),
    severity: members.reduce<Severity>(
      (s, g) => (SEVERITY_RANK[g.severity] < SEVERITY_RANK[s] ? g.severity : s),
      first.g.severity,
    ),
    timeframe: soonest.timeframe,
    days: soonest.days,
    dueDate: earliest(members.map((g) => dueDateOf(ctx, g))),
    standards: distinct(byOrder.flatMap((g) => g.sources)),
    planStatus: planStatusOf(ctx, members),
    urgency: first.urgency,
  }
}

/** The red flag or gap the action answers, in words: what was found, and why it matters. */
function whyOf(ctx: GapContext, members: Gap[]): string {
  const parts: string[] = []
  const flagged = members.filter((g) => g.redFlag)
  if (flagged.length > 0) {
    const flags = flagged.flatMap((g) => (ctx.flags.get(g.question) ?? []).filter((f) => f.status !== 'cleared'))
    const indicators = distinct(flags.map((f) => f.indicatorLabel)).join(', ')
    const escalates = flags.some((f) => f.status === 'active' && f.escalates)
    const status = `${statusCounts(flags)}${escalates ? '; raises the rating by itself' : ''}`
    parts.push(
      `Red flag: ${indicators || 'indicator of forced labour'} (${status}). ${distinct(flags.map((f) => f.why)).join(' ')}`,
    )
  }
  const unverified = members.filter((g) => !g.redFlag && tierOf(ctx, g) === 'unverified_critical')
  if (unverified.length > 0) {
    parts.push(
      `Claim not yet verified on a critical question (${answerCounts(unverified)}): until evidence or a reviewer ` +
        'confirms it, a serious problem may be hidden.',
    )
  }
  const others = members.filter((g) => !g.redFlag && !unverified.includes(g))
  if (others.length > 0) {
    const types = distinct(others.map((g) => gapTypeLabel(g.gapType)).filter((x) => x !== ''))
    const lead = parts.length > 0 ? 'Also a gap' : 'Gap'
    parts.push(`${lead}${types.length > 0 ? `: ${types.join('; ')}` : ''}. ${answerCounts(others)}.`)
  }
  return parts.join('\n').trim()
}

/** "Answer: No" for one question, "Answers: No (3), Don't know (2)" for several. */
function answerCounts(gaps: Gap[]): string {
  const counts = new Map<string, number>()
  for (const g of gaps) counts.set(g.answerLabel, (counts.get(g.answerLabel) ?? 0) + 1)
  if (gaps.length === 1) return `Answer: ${gaps[0]?.answerLabel ?? ''}`
  return `Answers: ${[...counts].map(([label, n]) => `${label} (${n})`).join(', ')}`
}

/** As the Action plan sheet shows it: the stored due date, or the suggested one when the plan lacks the gap. */
function dueDateOf(ctx: GapContext, g: Gap): Date | null {
  const stored = ctx.plan.get(g.question)
  if (stored) return stored.dueDate ? dateCell(stored.dueDate) : null
  return g.days === null ? null : addDaysUtc(ctx.input.generatedAt, g.days)
}

function planStatusOf(ctx: GapContext, members: Gap[]): string {
  const counts = new Map<ActionStatus, number>()
  for (const g of members) {
    const status = ctx.plan.get(g.question)?.status ?? 'open'
    counts.set(status, (counts.get(status) ?? 0) + 1)
  }
  if (counts.size === 1) return STATUS_LABELS[[...counts.keys()][0] as ActionStatus]
  return [...counts].map(([s, n]) => `${n} ${STATUS_LABELS[s].toLowerCase()}`).join(', ')
}

function earliest(dates: (Date | null)[]): Date | null {
  return dates.reduce<Date | null>((a, d) => (d && (!a || d < a) ? d : a), null)
}

const COLUMNS: TableColumn<TopAction & { rank: number }>[] = [
  { header: '#', width: 4, value: (r) => r.rank, numFmt: '0' },
  { header: 'What to do', width: 50, value: (r) => r.action, wrap: true },
  { header: 'Why: the red flag or gap it answers', width: 40, value: (r) => r.why, wrap: true },
  { header: 'Questions', width: 16, value: (r) => r.questions.join(', '), wrap: true },
  {
    header: 'Severity',
    width: 10,
    value: (r) => SEVERITY_SWATCHES[r.severity].label,
    swatch: (r) => SEVERITY_SWATCHES[r.severity],
  },
  { header: 'Timeframe', width: 18, value: (r) => r.timeframe, wrap: true },
  { header: 'Days', width: 7, value: (r) => r.days, numFmt: '0' },
  { header: 'Due date', width: 11.5, value: (r) => r.dueDate, numFmt: DATE_FORMAT },
  { header: 'Standard', width: 20, value: (r) => r.standards.join('\n'), wrap: true },
  { header: 'Action plan status', width: 13, value: (r) => r.planStatus, wrap: true },
]

export function writeTopActions(ws: ExcelJS.Worksheet, ctx: GapContext): void {
  const all = rankedActions(ctx)
  const top = all.slice(0, TOP_ACTIONS).map((a, i) => ({ ...a, rank: i + 1 }))
  const gaps = ctx.input.result.gaps.length
  const shown =
    all.length > top.length
      ? `The ${top.length} most urgent of ${all.length} actions (${gaps} gaps)`
      : all.length > 0
        ? `All ${plural(all.length, 'action')} (${plural(gaps, 'gap')})`
        : 'No actions'
  const suspected = ctx.input.result.suspectedFlags.length
  writeTable(ws, {
    title: 'Top actions',
    intro:
      `${RANKING_TEXT} Questions that call for the same action are one row. ${shown}; every gap, by section, ` +
      'is on the Action plan sheet. Due dates are those of the action plan, or suggested from the days.',
    columns: COLUMNS,
    rows: top,
    empty:
      suspected > 0
        ? `No answer calls for an action, but a reviewer suspects ${plural(suspected, 'red flag')}: see the Red flags sheet.`
        : 'Nothing to do: no answer in this assessment is a gap or a red flag.',
    freezeColumns: 2,
    footer: ctx.footer,
  })
}
