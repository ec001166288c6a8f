import type ExcelJS from 'exceljs'
import { INDICATORS, type IndicatorKey, type Severity } from '../../questionnaire/vocabulary.ts'
import type { RedFlagItem, ScoreResult } from '../../scoring/result.schema.ts'
import { RATING_SWATCHES, SEVERITY_SWATCHES, type Swatch } from '../xlsx/style.ts'
import { type TableColumn, writeTable } from '../xlsx/table.ts'
import {
  distinct,
  type GapContext,
  plural,
  questionRanges,
  SEVERITY_RANK,
  severityOf,
  shorten,
  statusCounts,
} from './context.ts'

/**
 * The Red flags sheet: one row per indicator of forced labour, with the answers that raise it listed in
 * the row. Eighteen cost lines all pointing to debt bondage are one row that says "18", not eighteen rows
 * saying the same thing; each answer keeps its line, with its status where the statuses differ.
 */

type FlagStatus = RedFlagItem['status'] | 'suspected'
type SuspectedFlag = ScoreResult['suspectedFlags'][number]

export type IndicatorGroup = {
  key: IndicatorKey | null
  label: string
  /** The answers raising it, in questionnaire order. */
  flags: RedFlagItem[]
  /** Raised by a reviewer rather than by an answer. */
  suspected: SuspectedFlag[]
}

/** Most serious first: what the Status cell is coloured by, and the order of the rows. */
const STATUS_ORDER: FlagStatus[] = ['active', 'downgraded', 'suspected', 'cleared']

const STATUS_SWATCHES: Record<FlagStatus, Swatch> = {
  active: RATING_SWATCHES.critical,
  downgraded: RATING_SWATCHES.high,
  suspected: RATING_SWATCHES.medium,
  cleared: RATING_SWATCHES.low,
}

/** The red flags by indicator: escalating ones first, then by their most serious status, then questionnaire order. */
export function indicatorGroups(ctx: GapContext): IndicatorGroup[] {
  const groups = new Map<string, IndicatorGroup>()
  const groupOf = (key: IndicatorKey | null): IndicatorGroup => {
    const id = key ?? ''
    let g = groups.get(id)
    if (!g) {
      g = { key, label: key ? INDICATORS[key] : 'Indicator not given', flags: [], suspected: [] }
      groups.set(id, g)
    }
    return g
  }
  const byOrder = [...ctx.input.result.redFlags].sort((a, b) => orderOf(ctx, a.question) - orderOf(ctx, b.question))
  for (const f of byOrder) {
    const g = groupOf(f.indicator)
    g.flags.push(f)
    // The engine names the indicator; keep its words.
    g.label = f.indicatorLabel
  }
  for (const s of ctx.input.result.suspectedFlags) groupOf(s.indicator).suspected.push(s)
  return [...groups.values()].sort((a, b) => rankOf(a) - rankOf(b) || firstOrder(ctx, a) - firstOrder(ctx, b))
}

function orderOf(ctx: GapContext, question: string | null): number {
  return (question ? ctx.order.get(question) : undefined) ?? Number.MAX_SAFE_INTEGER
}

function firstOrder(ctx: GapContext, g: IndicatorGroup): number {
  return Math.min(...g.flags.map((f) => orderOf(ctx, f.question)), ...g.suspected.map((s) => orderOf(ctx, s.question)))
}

function rankOf(g: IndicatorGroup): number {
  if (escalates(g)) return 0
  return 1 + STATUS_ORDER.indexOf(worstStatus(g))
}

export const escalates = (g: IndicatorGroup): boolean => g.flags.some((f) => f.status === 'active' && f.escalates)

export function worstStatus(g: IndicatorGroup): FlagStatus {
  const present = new Set<FlagStatus>([...g.flags.map((f) => f.status), ...g.suspected.map(() => 'suspected' as const)])
  return STATUS_ORDER.find((s) => present.has(s)) ?? 'cleared'
}

/** "18 active", "2 active, 1 downgraded (A3.8: repayment under way on a dated plan), 1 suspected by a reviewer". */
export function statusText(g: IndicatorGroup): string {
  const parts: string[] = []
  for (const status of ['active', 'downgraded', 'cleared'] as const) {
    const flags = g.flags.filter((f) => f.status === status)
    if (flags.length === 0) continue
    const reasons = distinct(flags.map((f) => f.statusReason).filter((r) => r !== ''))
    parts.push(`${statusCounts(flags)}${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`)
  }
  if (g.suspected.length > 0) parts.push(`${g.suspected.length} suspected by a reviewer`)
  return parts.join(', ')
}

type IndicatorRow = {
  group: IndicatorGroup
  indicator: string
  count: number
  status: string
  worst: FlagStatus
  escalates: boolean | null
  severity: Severity | undefined
  lines: string
  why: string
  action: string
  timeframe: string
  days: number | null
}

const COLUMNS: TableColumn<IndicatorRow>[] = [
  { header: 'Indicator of forced labour', width: 20, value: (r) => r.indicator, wrap: true },
  { header: 'Answers raising it', width: 9, value: (r) => r.count, numFmt: '0' },
  { header: 'Status', width: 18, value: (r) => r.status, wrap: true, swatch: (r) => STATUS_SWATCHES[r.worst] },
  {
    header: 'Escalates alone',
    width: 10,
    value: (r) => (r.escalates === null ? null : r.escalates ? 'Yes' : 'No'),
  },
  {
    header: 'Severity',
    width: 10,
    value: (r) => (r.severity ? SEVERITY_SWATCHES[r.severity].label : ''),
    swatch: (r) => (r.severity ? SEVERITY_SWATCHES[r.severity] : undefined),
  },
  { header: 'Questions and answers', width: 80, value: (r) => r.lines, wrap: true },
  { header: 'Why it matters', width: 36, value: (r) => r.why, wrap: true },
  { header: 'Immediate action', width: 44, value: (r) => r.action, wrap: true },
  { header: 'Timeframe', width: 14, value: (r) => r.timeframe, wrap: true },
  { header: 'Days', width: 7, value: (r) => r.days, numFmt: '0' },
]

export function writeRedFlags(ws: ExcelJS.Worksheet, ctx: GapContext): void {
  writeTable(ws, {
    title: 'Red flags',
    intro:
      'One row per indicator of forced labour, with every answer that raises it. Each needs action now, whatever ' +
      'the overall score; "Escalates alone" marks those that raise the rating by themselves. A downgraded red flag ' +
      'is being repaid on a dated plan; a cleared one was repaid, with evidence. Suspected red flags were raised by ' +
      'a reviewer and need checking. These are indicators of risk, not findings of forced labour.',
    columns: COLUMNS,
    rows: indicatorGroups(ctx).map((g) => indicatorRow(ctx, g)),
    empty: 'No answer in this assessment is a red flag, and no reviewer has raised a suspected one.',
    freezeColumns: 1,
    footer: ctx.footer,
  })
}

function indicatorRow(ctx: GapContext, g: IndicatorGroup): IndicatorRow {
  const mixed = new Set(g.flags.map((f) => f.status)).size > 1
  const lines = g.flags.map((f) => {
    const status = mixed ? ` (${f.status})` : ''
    return `${f.question} ${shorten(f.questionText, 44)} — ${f.answerLabel}${status}`
  })
  for (const s of g.suspected) lines.push(`Suspected by a reviewer${s.question ? ` (${s.question})` : ''}: ${s.reason}`)
  const severities = [
    ...g.flags.map((f) => f.question),
    ...g.suspected.flatMap((s) => (s.question ? [s.question] : [])),
  ]
    .map((q) => severityOf(ctx, q))
    .filter((s): s is Severity => s !== undefined)
  // The action of the most urgent answer first: a cleared flag's action is no longer urgent.
  const open = g.flags.filter((f) => f.status !== 'cleared')
  const acting = [...(open.length > 0 ? open : g.flags)].sort((a, b) => (a.days ?? Infinity) - (b.days ?? Infinity))
  const soonest = acting[0]
  return {
    group: g,
    indicator: g.label,
    count: g.flags.length,
    status: statusText(g) || 'Suspected by a reviewer',
    worst: worstStatus(g),
    escalates: g.flags.length > 0 ? escalates(g) : null,
    severity: severities.sort((a, b) => SEVERITY_RANK[a] - SEVERITY_RANK[b])[0],
    lines: lines.join('\n'),
    why: byText(ctx, g.flags, (f) => f.why),
    action: byText(ctx, acting, (f) => f.action, true),
    timeframe: soonest?.timeframe ?? '',
    days: soonest?.days ?? null,
  }
}

/**
 * The distinct texts of a group's answers (why it matters, what to do), in the order given. One text stands
 * alone; several each say which questions they belong to. `brief` keeps only the first sentence of each when
 * there are several (the immediate step of an action; the full action is on the Action plan sheet), so that
 * an indicator raised by many different answers still fits its row.
 */
function byText(ctx: GapContext, flags: RedFlagItem[], text: (f: RedFlagItem) => string, brief = false): string {
  const questions = new Map<string, string[]>()
  for (const f of flags) {
    const t = text(f).trim()
    if (t) questions.set(t, [...(questions.get(t) ?? []), f.question])
  }
  if (questions.size <= 1) return [...questions.keys()].join('')
  const lines = [...questions].map(([t, qs]) => `${questionRanges(ctx, qs)}: ${brief ? firstSentence(t) : t}`)
  return brief ? `${lines.join('\n')}\n(First steps; each action in full: Action plan sheet.)` : lines.join('\n')
}

/** Up to the first full stop that ends a sentence ("Art. 9" and "e.g. the" do not). */
export function firstSentence(text: string): string {
  const m = /^.*?[.!?](?=\s+[A-Z])/s.exec(text)
  return m ? m[0] : text
}

/** For the Summary sheet: one line per indicator. */
export function indicatorSummary(ctx: GapContext, g: IndicatorGroup): string {
  const questions = questionRanges(
    ctx,
    g.flags.map((f) => f.question),
  )
  const answers = g.flags.length > 0 ? `${plural(g.flags.length, 'answer')} (${questions}): ` : ''
  const open = g.flags.filter((f) => f.status !== 'cleared' && f.timeframe)
  const soonest = [...open].sort((a, b) => (a.days ?? Infinity) - (b.days ?? Infinity))[0]
  const act = soonest ? ` Act: ${soonest.timeframe.charAt(0).toLowerCase()}${soonest.timeframe.slice(1)}.` : ''
  return `${answers}${statusText(g)}.${escalates(g) ? ' Raises the rating by itself.' : ''}${act}`
}
