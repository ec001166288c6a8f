import type { CompiledQuestionnaire, QuestionEntry } from '../../questionnaire/model.ts'
import type { Choice, Remediation } from '../../questionnaire/questionnaire.schema.ts'
import { t } from '../../questionnaire/text.ts'
import { VERIFICATION_GAP } from '../../questionnaire/vocabulary.ts'
import { cachedGap, cachedProofGap, sourceLabels } from '../memo.ts'
import type { Gap, RedFlagItem } from '../result.schema.ts'
import type { Rubric } from '../rubric.schema.ts'
import type { QuestionPoints, ScoredAnswer } from './types.ts'

/**
 * A stage of the score (scoring.md §7): every answer that needs action, with its action and timeframe; a gap
 * whose red flag the fee rule settled says so. Red flags first, then by severity, each group in
 * questionnaire order.
 */
export function gaps(
  cq: CompiledQuestionnaire,
  r: Rubric,
  points: QuestionPoints,
  redFlags: RedFlagItem[],
  evidence: ReadonlySet<string> = EMPTY,
  verified: ReadonlyMap<string, string> = EMPTY_MAP,
): Gap[] {
  const found: Gap[] = []
  const v = r.verification
  for (let i = 0; i < points.length; i++) {
    const s = points[i]
    if (!s) continue
    if (s.gap) found.push(cachedGap(s, gapOf, cq.entries[i] as QuestionEntry, r))
    else if (v && isUnprovenClaim(s, v.severities, evidence, verified))
      found.push(cachedProofGap(s, verificationGap, cq.entries[i] as QuestionEntry, r))
  }
  return sortGaps(settleFeeGaps(cq, redFlags, found))
}

const EMPTY: ReadonlySet<string> = new Set()
const EMPTY_MAP: ReadonlyMap<string, string> = new Map()

/**
 * 2026.2 (scoring.md §7.1): an answer of good practice on a question of the required severities that nothing
 * proves yet — no evidence attached, no reviewer's verification — is a gap of its own type. Answers that are
 * already gaps (partial credit, "don't know", red flags) have their own action.
 */
function isUnprovenClaim(
  s: ScoredAnswer,
  severities: readonly string[],
  evidence: ReadonlySet<string>,
  verified: ReadonlyMap<string, string>,
): boolean {
  return (
    s.qs.status === 'counted' &&
    (s.qs.credit ?? 0) > 0 &&
    severities.includes(s.qs.severity) &&
    !evidence.has(s.qs.question) &&
    !verified.has(s.qs.question)
  )
}

function verificationGap(e: QuestionEntry, r: Rubric, s: ScoredAnswer): Gap {
  const v = r.verification as NonNullable<Rubric['verification']>
  const days = v.deadline_days[s.qs.severity] ?? r.default_timeframes[VERIFICATION_GAP] ?? 30
  const hint = t(e.question.evidence)
  return gapItem(e, s, {
    redFlag: false,
    redFlagStatus: null,
    dontKnow: false,
    gapType: VERIFICATION_GAP,
    action: `Prove this answer before anyone relies on it: nothing attached or verified backs it yet.${hint ? ` What proves it: ${hint}` : ''} ${v.how}`,
    timeframe: `Within ${days} days`,
    days,
  })
}

function gapOf(e: QuestionEntry, r: Rubric, s: ScoredAnswer): Gap {
  const rem = remediationFor(e, s.selected)
  const redFlag = s.selected.some((c) => c.red_flag !== undefined)
  return gapItem(e, s, {
    redFlag,
    redFlagStatus: redFlag ? 'active' : null,
    dontKnow: s.dontKnow,
    gapType: rem?.gap_type ?? null,
    action: t(rem?.action),
    timeframe: t(rem?.timeframe),
    days: rem?.days ?? (rem ? (r.default_timeframes[rem.gap_type] ?? null) : null),
  })
}

type GapAction = Pick<Gap, 'redFlag' | 'redFlagStatus' | 'dontKnow' | 'gapType' | 'action' | 'timeframe' | 'days'>

/** A gap's row: the question and answer from the scored answer, what to do from `a`, keys in one fixed order. */
function gapItem(e: QuestionEntry, s: ScoredAnswer, a: GapAction): Gap {
  return {
    question: e.question.id,
    section: e.section.id,
    sectionTitle: t(e.section.title),
    questionText: t(e.question.text),
    answer: s.qs.answer,
    answerLabel: s.qs.answerLabel,
    credit: s.qs.credit ?? 0,
    severity: s.qs.severity,
    redFlag: a.redFlag,
    redFlagStatus: a.redFlagStatus,
    dontKnow: a.dontKnow,
    gapType: a.gapType,
    action: a.action,
    timeframe: a.timeframe,
    days: a.days,
    sources: sourceLabels(e),
  }
}

function remediationFor(e: QuestionEntry, selected: readonly Choice[]): Remediation | undefined {
  for (const c of selected)
    if (c.remediation && (c.red_flag || c.dont_know || (c.credit ?? 1) < 1)) return c.remediation
  return e.question.remediation
}

/**
 * A gap whose red flag was downgraded or cleared by the fee rule says so; once repayment is evidenced
 * the gap keeps only the question's follow-up action (prevention), not the 24-hour stop order.
 */
function settleFeeGaps(cq: CompiledQuestionnaire, redFlags: RedFlagItem[], gaps: Gap[]): Gap[] {
  const status = new Map<string, RedFlagItem['status']>()
  for (const f of redFlags) if (f.status !== 'active') status.set(f.question, f.status)
  if (status.size === 0) return gaps
  return gaps.map((g) => {
    const st = status.get(g.question)
    if (!st || !g.redFlag) return g
    if (st === 'downgraded') return { ...g, redFlagStatus: st }
    const rem = cq.byId.get(g.question)?.question.remediation
    return {
      ...g,
      redFlag: false,
      redFlagStatus: st,
      gapType: rem?.gap_type ?? g.gapType,
      action: rem ? t(rem.action) : g.action,
      timeframe: rem ? t(rem.timeframe) : g.timeframe,
      days: rem?.days ?? g.days,
    }
  })
}

const SEVERITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3 } as const

/** Red flags first, then by severity, each group in questionnaire order (a stable bucket sort). */
function sortGaps(gaps: Gap[]): Gap[] {
  const buckets: Gap[][] = [[], [], [], [], [], [], [], []]
  for (const g of gaps) buckets[(g.redFlag ? 0 : 4) + SEVERITY_ORDER[g.severity]]!.push(g)
  // (Array.prototype.flat is slow in V8; a plain loop is not.)
  const sorted: Gap[] = []
  for (const b of buckets) for (const g of b) sorted.push(g)
  return sorted
}
