import type { AnswerValue } from '../../questionnaire/condition.ts'
import { COUNTRIES } from '../../questionnaire/countries.ts'
import { applicability, type CompiledQuestionnaire, compileQuestionnaire } from '../../questionnaire/model.ts'
import { t } from '../../questionnaire/text.ts'
import { GAP_TYPES, type Severity } from '../../questionnaire/vocabulary.ts'
import type { Gap, QuestionScore, RedFlagItem } from '../../scoring/result.schema.ts'
import type { ActionItem } from '../action-plan/layout.ts'
import type { GapReportInput } from './input.ts'

/** What every sheet of the gap report looks things up in, computed once. */

export const CAVEAT =
  'These are indicators of forced-labour risk from a self-assessment, not findings of forced labour.'

export type GapContext = {
  input: GapReportInput
  cq: CompiledQuestionnaire
  /** Scored questions as the engine saw them. */
  scores: Map<string, QuestionScore>
  gaps: Map<string, Gap>
  /** Question id → the indicator families its red flags point to. */
  redFlagIndicators: Map<string, string>
  /** Question id → its red flags, as the engine listed them (several when several choices are flags). */
  flags: Map<string, RedFlagItem[]>
  /** Question id → its stored action of the plan. */
  plan: Map<string, ActionItem>
  /** Question id → position in the questionnaire, for a stable reading order. */
  order: Map<string, number>
  applies: Map<string, boolean>
  /** Printed at the foot of every page. */
  footer: string
}

export function gapContext(input: GapReportInput): GapContext {
  const cq = compileQuestionnaire(input.questionnaire.def)
  const scores = new Map<string, QuestionScore>()
  for (const s of input.result.control.sections) for (const q of s.questions) scores.set(q.question, q)
  const indicators = new Map<string, string[]>()
  const flags = new Map<string, RedFlagItem[]>()
  for (const f of input.result.redFlags) {
    const list = indicators.get(f.question) ?? []
    if (!list.includes(f.indicatorLabel)) list.push(f.indicatorLabel)
    indicators.set(f.question, list)
    flags.set(f.question, [...(flags.get(f.question) ?? []), f])
  }
  const raw = new Map<string, AnswerValue>()
  for (const [qid, a] of input.answers) raw.set(qid, a.value)
  return {
    input,
    cq,
    scores,
    gaps: new Map(input.result.gaps.map((g) => [g.question, g])),
    redFlagIndicators: new Map([...indicators].map(([q, l]) => [q, l.join('; ')])),
    flags,
    plan: new Map(input.actions.map((a) => [a.question, a])),
    order: new Map(cq.entries.map((e, i) => [e.question.id, i])),
    applies: applicability(cq, raw).questions,
    footer: `Gap report: ${input.organisation.name} (assessment ${input.assessment.id}). ${CAVEAT}`,
  }
}

export function severityOf(ctx: GapContext, questionId: string): Severity | undefined {
  return ctx.scores.get(questionId)?.severity ?? ctx.cq.byId.get(questionId)?.question.severity
}

export function sectionLabel(ctx: GapContext, sectionId: string): string {
  const s = ctx.cq.def.sections.find((x) => x.id === sectionId)
  return s ? `${s.id} ${t(s.title)}` : sectionId
}

export function countryName(code: string | null | undefined): string | null {
  if (!code) return null
  return COUNTRIES[code.toUpperCase()] ?? code
}

/** The sector as a person reads it: the questionnaire's label when the stored value is a choice id. */
export function sectorName(ctx: GapContext, sector: string | null | undefined): string | null {
  if (!sector) return null
  const e = ctx.cq.entries.find((x) => x.question.profile === 'sector')
  const choice = e?.choiceById.get(sector)
  return choice ? t(choice.label) : sector
}

/**
 * A gap type as a reader sees it: its key and name. The vocabulary grows (a key the engine may send before
 * this build knows its name, such as a new verification gap type), so an unknown key shows as itself
 * rather than failing the report.
 */
export function gapTypeLabel(key: string | null): string {
  if (!key) return ''
  const name = (GAP_TYPES as Record<string, string | undefined>)[key]
  return name ? `${key} ${name}` : key
}

/**
 * The gap type of a claim not yet verified (a "yes" that awaits evidence or a reviewer). Kept as a plain
 * string: the key is not in the vocabulary yet, and comparing with it must keep compiling once it is.
 */
export const VERIFICATION_GAP_TYPE = 'G20'

export const isVerificationGap = (g: Pick<Gap, 'gapType'>): boolean =>
  (g.gapType as string | null) === VERIFICATION_GAP_TYPE

export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 }

export const capitalise = (s: string): string => (s ? s.charAt(0).toUpperCase() + s.slice(1) : s)

export const percent = (x: number): string => `${Math.round(x * 100)}%`

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

export const distinct = <T>(items: T[]): T[] => [...new Set(items)]

/** "18 active", "12 active, 6 downgraded": the red flags of a group by status, in the order first met. */
export function statusCounts(flags: Pick<RedFlagItem, 'status'>[]): string {
  const counts = new Map<string, number>()
  for (const f of flags) counts.set(f.status, (counts.get(f.status) ?? 0) + 1)
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ')
}

/**
 * Question ids in questionnaire order, three or more that follow one another in the questionnaire written
 * as a range ("A3.2a to A3.2r"), so that a list of eighteen cost lines stays one short line.
 */
export function questionRanges(ctx: GapContext, ids: string[]): string {
  const known = distinct(ids)
    .filter((q) => ctx.order.has(q))
    .sort((a, b) => (ctx.order.get(a) ?? 0) - (ctx.order.get(b) ?? 0))
  const parts: string[] = []
  for (let i = 0; i < known.length; ) {
    let j = i
    while (
      j + 1 < known.length &&
      (ctx.order.get(known[j + 1] as string) ?? 0) === (ctx.order.get(known[j] as string) ?? 0) + 1
    )
      j++
    if (j - i >= 2) parts.push(`${known[i]} to ${known[j]}`)
    else parts.push(...known.slice(i, j + 1))
    i = j + 1
  }
  return [...parts, ...distinct(ids).filter((q) => !ctx.order.has(q))].join(', ')
}

/** Text cut to about `max` characters at a word break, with an ellipsis when cut. */
export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat.length <= max) return flat
  // Never half a surrogate pair: the cell would show a replacement character.
  const cut = flat.slice(0, max - 1).replace(/[\ud800-\udbff]$/, '')
  const space = cut.lastIndexOf(' ')
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`
}
