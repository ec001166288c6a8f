import type { AnswerValue } from '../questionnaire/condition.ts'
import { COUNTRIES } from '../questionnaire/countries.ts'
import { applicability, type CompiledQuestionnaire, type QuestionEntry } from '../questionnaire/model.ts'
import type { Choice, Remediation } from '../questionnaire/questionnaire.schema.ts'
import { t } from '../questionnaire/text.ts'
import { INDICATORS, type IndicatorKey } from '../questionnaire/vocabulary.ts'
import type { Gap, InherentFactor, QuestionScore, RedFlagItem, ScoreResult, SectionScore } from './result.schema.ts'
import { type ControlBand, type InherentBand, RATINGS, type Rating, type Rubric } from './rubric.schema.ts'

/**
 * The scoring engine: a pure function of (questionnaire version, rubric version, answers, evidence,
 * verification marks). No clock, no database, no randomness: the same input always gives the same
 * result, and every number in it can be traced to the answers and rubric entries that produced it.
 */

export type ScoreInput = {
  questionnaire: CompiledQuestionnaire
  questionnaireHash: string
  rubric: Rubric
  rubricHash: string
  answers: ReadonlyMap<string, AnswerValue>
  /** Questions with evidence attached. */
  evidence?: ReadonlySet<string>
  /** Questions a reviewer verified, with the method (document, worker interview, site visit). */
  verified?: ReadonlyMap<string, string>
  /** Reviewers' precautionary ("suspected") red flags. */
  suspected?: readonly { question?: string | null; indicator?: IndicatorKey | null; reason: string }[]
}

const EMPTY_SET: ReadonlySet<string> = new Set()
const EMPTY_MAP: ReadonlyMap<string, string> = new Map()

const round1 = (x: number): number => Math.round(x * 10) / 10
const worse = (a: Rating, b: Rating): Rating => (RATINGS.indexOf(a) >= RATINGS.indexOf(b) ? a : b)

/** Rubric lookups prepared once per rubric object (memoised; the rubric itself is immutable). */
type Prepared = {
  countries: Map<string, { points: number | null; basis: string }>
  feeMatchers: Map<string, (qid: string) => boolean>
  escalateAnswers: Set<string>
  escalateIndicators: Set<string>
}
const prepared = new WeakMap<Rubric, Prepared>()
function prepare(r: Rubric): Prepared {
  let p = prepared.get(r)
  if (p) return p
  const feeMatchers = new Map<string, (qid: string) => boolean>()
  for (const [qid, rule] of Object.entries(r.red_flags.fee_repayment)) {
    const exact = new Set(rule.fee_questions.filter((x) => !x.endsWith('*')))
    const prefixes = rule.fee_questions.filter((x) => x.endsWith('*')).map((x) => x.slice(0, -1))
    feeMatchers.set(qid, (id) => exact.has(id) || prefixes.some((pre) => id.startsWith(pre)))
  }
  p = {
    countries: new Map(r.inherent.country.countries.map((c) => [c.code, { points: c.points, basis: c.basis }])),
    feeMatchers,
    escalateAnswers: new Set(r.red_flags.escalate_answers),
    escalateIndicators: new Set(r.red_flags.escalate_indicators),
  }
  prepared.set(r, p)
  return p
}

function labelOf(e: QuestionEntry, value: AnswerValue | undefined): string {
  if (value === undefined) return 'Not answered'
  if (Array.isArray(value)) return value.map((v) => t(e.choiceById.get(v)?.label) || v).join('; ')
  if (typeof value === 'number') return String(value)
  if (e.question.type === 'country') return COUNTRIES[value] ?? value
  const c = e.choiceById.get(value)
  return c ? t(c.label) : value
}

function isEmpty(v: AnswerValue | undefined): boolean {
  return v === undefined || v === '' || (Array.isArray(v) && v.length === 0)
}

function controlBand(r: Rubric, score: number | null): ControlBand {
  if (score === null) return 'very_weak'
  if (score >= r.control_bands.strong) return 'strong'
  if (score >= r.control_bands.adequate) return 'adequate'
  if (score >= r.control_bands.weak) return 'weak'
  return 'very_weak'
}

function inherentBand(r: Rubric, score: number): InherentBand {
  if (score >= r.inherent.bands.high) return 'high'
  if (score >= r.inherent.bands.medium) return 'medium'
  return 'low'
}

type Scored = {
  qs: QuestionScore
  selected: Choice[]
  dontKnow: boolean
  gap: boolean
}

function scoreQuestion(
  e: QuestionEntry,
  r: Rubric,
  value: AnswerValue | undefined,
  hasEvidence: boolean,
  verifiedBy: string | null,
): Scored {
  const q = e.question
  const severity = q.severity ?? 'low'
  const weight = r.severity_weights[severity]
  // One object literal with every field in a fixed order: V8 keeps such objects on a fast path,
  // which matters when a portfolio re-scores thousands of assessments.
  const make = (
    status: QuestionScore['status'],
    credit: number | null,
    possible: number,
    unverified: boolean,
    note: string,
    answer: AnswerValue | null,
  ): QuestionScore => ({
    question: q.id,
    answer,
    answerLabel: labelOf(e, value),
    status,
    severity,
    weight,
    credit,
    earned: credit === null ? 0 : weight * credit,
    possible,
    unverified,
    evidence: hasEvidence,
    verified: verifiedBy,
    note,
  })
  if (isEmpty(value)) {
    if (!q.required) {
      return {
        qs: make('excluded', null, 0, false, 'optional and not answered: left out', null),
        selected: [],
        dontKnow: false,
        gap: false,
      }
    }
    return {
      qs: make('unanswered', 0, weight, false, 'required and not answered: counted as "don\'t know"', null),
      selected: [],
      dontKnow: true,
      gap: true,
    }
  }
  const ids = Array.isArray(value) ? value : [String(value)]
  const selected: Choice[] = []
  for (const id of ids) {
    const c = e.choiceById.get(id)
    if (c) selected.push(c)
  }
  if (selected.length > 0 && selected.every((c) => c.not_applicable)) {
    return {
      qs: make('excluded', null, 0, false, 'not applicable: left out', value ?? null),
      selected,
      dontKnow: false,
      gap: false,
    }
  }
  const dontKnow = selected.some((c) => c.dont_know)
  let credit: number
  let note: string
  if (dontKnow) {
    credit = q.type === 'scale' ? r.answer_credits.dont_know : (selected.find((c) => c.dont_know)?.credit ?? 0)
    note = '"don\'t know": no credit, counted against confidence'
  } else if (q.type === 'scale') {
    const id = ids[0] as 'yes' | 'partly' | 'no'
    credit = r.answer_credits[id] ?? 0
    note = `rubric credit for "${id}"`
  } else if (q.type === 'multi') {
    let total = 0
    for (const c of e.choices) if (c.credit !== undefined && c.credit > 0) total += c.credit
    let got = 0
    for (const c of selected) got += c.credit ?? 0
    credit = total > 0 ? Math.min(1, got / total) : 0
    note = `share of good practices selected (${round1(got)} of ${round1(total)})`
  } else {
    credit = selected[0]?.credit ?? 0
    note = 'credit of the chosen answer'
  }

  let unverified = false
  const needsEvidence =
    credit >= 1 &&
    ((q.type === 'scale' && ids[0] === 'yes' && r.evidence.severities.includes(severity)) ||
      selected.some((c) => c.needs_evidence))
  if (needsEvidence && !hasEvidence && !verifiedBy) {
    credit = r.evidence.unverified_credit
    unverified = true
    note = `full credit needs evidence or verification: ${credit} until then`
  } else if (needsEvidence) {
    note = verifiedBy ? `verified (${verifiedBy}): full credit` : 'evidence attached: full credit'
  }
  const gap = dontKnow || selected.some((c) => c.red_flag !== undefined) || (!unverified && credit < 1)
  return {
    qs: make(dontKnow ? 'dont_know' : 'counted', credit, weight, unverified, note, value ?? null),
    selected,
    dontKnow,
    gap,
  }
}

/** Source labels ("ILO-GP 7") per question, made once per question object. */
const sourceCache = new WeakMap<object, string[]>()
function sourceLabels(e: QuestionEntry): string[] {
  let labels = sourceCache.get(e.question)
  if (!labels) {
    labels = e.question.sources.map((src) => (src.clause ? `${src.framework} ${src.clause}` : src.framework))
    sourceCache.set(e.question, labels)
  }
  return labels
}

const notAsked = new WeakMap<QuestionEntry, [QuestionScore, QuestionScore]>()
/** The row for a question that is not asked: one frozen object per question and reason. */
function notAskedRow(e: QuestionEntry, sectionApplies: boolean): QuestionScore {
  let rows = notAsked.get(e)
  if (!rows) {
    const row = (note: string): QuestionScore =>
      Object.freeze({
        question: e.question.id,
        answer: null,
        answerLabel: 'Not asked',
        status: 'not_applicable' as const,
        severity: e.question.severity ?? 'low',
        weight: 0,
        credit: null,
        earned: 0,
        possible: 0,
        unverified: false,
        evidence: false,
        verified: null,
        note,
      })
    rows = [row('its condition is not met: left out'), row('its section does not apply: left out')]
    notAsked.set(e, rows)
  }
  return sectionApplies ? rows[0] : rows[1]
}

/**
 * Scoring one question is a pure function of the question, the rubric, the answer and its evidence,
 * and questionnaire versions and rubrics never change, so results are memoised per answer. The cached
 * objects are frozen: results share them, and nobody may change them.
 */
type Cached = Scored & { gapItem?: Gap }
type AnswerCache = {
  /** The common case: one choice id, no reviewer verification; [without evidence, with evidence]. */
  simple: Map<string, [Cached | undefined, Cached | undefined]>
  other: Map<string, Cached>
}
const questionCache = new WeakMap<Rubric, WeakMap<CompiledQuestionnaire, AnswerCache[]>>()

/** The answer caches of every question, by entry index, for one rubric: looked up once per score. */
function answerCaches(r: Rubric, cq: CompiledQuestionnaire): AnswerCache[] {
  let perQ = questionCache.get(r)
  if (!perQ) {
    perQ = new WeakMap()
    questionCache.set(r, perQ)
  }
  let caches = perQ.get(cq)
  if (!caches) {
    caches = cq.entries.map(() => ({ simple: new Map(), other: new Map() }))
    perQ.set(cq, caches)
  }
  return caches
}
const MAX_CACHED = 256

function scoreQuestionCached(
  cache: AnswerCache,
  e: QuestionEntry,
  r: Rubric,
  value: AnswerValue | undefined,
  hasEvidence: boolean,
  verifiedBy: string | null,
): Cached {
  if (typeof value === 'string' && verifiedBy === null) {
    let pair = cache.simple.get(value)
    if (!pair) {
      pair = [undefined, undefined]
      // Free text answers are unbounded; only a bounded number of distinct answers is remembered.
      if (cache.simple.size < MAX_CACHED) cache.simple.set(value, pair)
    }
    const i = hasEvidence ? 1 : 0
    let hit = pair[i]
    if (!hit) {
      hit = freshScore(e, r, value, hasEvidence, verifiedBy)
      pair[i] = hit
    }
    return hit
  }
  const key = `${Array.isArray(value) ? value.join('\u0001') : value === undefined ? '\u0000' : String(value)}|${hasEvidence ? 1 : 0}|${verifiedBy ?? ''}`
  let hit = cache.other.get(key)
  if (!hit) {
    hit = freshScore(e, r, value, hasEvidence, verifiedBy)
    if (cache.other.size < MAX_CACHED) cache.other.set(key, hit)
  }
  return hit
}

function freshScore(
  e: QuestionEntry,
  r: Rubric,
  value: AnswerValue | undefined,
  hasEvidence: boolean,
  verifiedBy: string | null,
): Cached {
  const scored = scoreQuestion(e, r, value, hasEvidence, verifiedBy)
  Object.freeze(scored.qs)
  return scored
}

function gapFor(e: QuestionEntry, r: Rubric, s: Cached, sectionTitle: string): Gap {
  if (s.gapItem) return s.gapItem
  const rem = remediationFor(e, s.selected)
  const gap: Gap = {
    question: e.question.id,
    section: e.section.id,
    sectionTitle,
    questionText: t(e.question.text),
    answer: s.qs.answer,
    answerLabel: s.qs.answerLabel,
    credit: s.qs.credit ?? 0,
    severity: s.qs.severity,
    redFlag: s.selected.some((c) => c.red_flag !== undefined),
    redFlagStatus: s.selected.some((c) => c.red_flag !== undefined) ? 'active' : null,
    dontKnow: s.dontKnow,
    gapType: rem?.gap_type ?? null,
    action: t(rem?.action),
    timeframe: t(rem?.timeframe),
    days: rem?.days ?? (rem ? (r.default_timeframes[rem.gap_type] ?? null) : null),
    sources: sourceLabels(e),
  }
  s.gapItem = Object.freeze(gap) as Gap
  return s.gapItem
}

function remediationFor(e: QuestionEntry, selected: Choice[]): Remediation | undefined {
  for (const c of selected)
    if (c.remediation && (c.red_flag || c.dont_know || (c.credit ?? 1) < 1)) return c.remediation
  return e.question.remediation
}

/** Whether a question applies, by id, read from the applicability array (no per-call map). */
const idIndex = new WeakMap<CompiledQuestionnaire, Map<string, number>>()
function appliesById(cq: CompiledQuestionnaire, byIndex: Uint8Array): (qid: string) => boolean {
  let m = idIndex.get(cq)
  if (!m) {
    m = new Map(cq.entries.map((e, i) => [e.question.id, i]))
    idIndex.set(cq, m)
  }
  const index = m
  return (qid) => {
    const i = index.get(qid)
    return i !== undefined && byIndex[i] === 1
  }
}

/** For each entry, the index of its section among the scored sections (profile sections are not scored). */
const slotCache = new WeakMap<CompiledQuestionnaire, Int16Array>()
function sectionSlots(cq: CompiledQuestionnaire): Int16Array {
  let slots = slotCache.get(cq)
  if (!slots) {
    const scoredIds = cq.def.sections.filter((s) => !s.profile).map((s) => s.id)
    slots = Int16Array.from(cq.entries, (e) => scoredIds.indexOf(e.section.id))
    slotCache.set(cq, slots)
  }
  return slots
}

export function score(input: ScoreInput): ScoreResult {
  const { questionnaire: cq, rubric: r, answers } = input
  const evidence = input.evidence ?? EMPTY_SET
  const verified = input.verified ?? EMPTY_MAP
  const p = prepare(r)
  const app = applicability(cq, answers)
  const sectionWeights = r.section_weights[cq.def.id] ?? {}

  const sections: SectionScore[] = cq.def.sections
    .filter((s) => !s.profile)
    .map((s) => ({
      id: s.id,
      title: t(s.title),
      applicable: app.sections.get(s.id) ?? true,
      score: null,
      weight: sectionWeights[s.id] ?? r.default_section_weight,
      earned: 0,
      possible: 0,
      counted: 0,
      dontKnow: 0,
      unverified: 0,
      questions: [],
    }))
  const slots = sectionSlots(cq)
  const caches = answerCaches(r, cq)
  const hasEvidence = evidence.size > 0
  const hasVerified = verified.size > 0

  const redFlags: RedFlagItem[] = []
  const gaps: Gap[] = []
  let counted = 0
  let dk = 0
  let unverified = 0

  const entries = cq.entries
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as QuestionEntry
    if (!e.scored) continue
    const section = sections[slots[i] as number] as SectionScore
    const value = answers.get(e.question.id)
    if (!app.byIndex[i]) {
      section.questions.push(notAskedRow(e, section.applicable))
      continue
    }
    const id = e.question.id
    const s = scoreQuestionCached(
      caches[i] as AnswerCache,
      e,
      r,
      value,
      hasEvidence && evidence.has(id),
      hasVerified ? (verified.get(id) ?? null) : null,
    )
    section.questions.push(s.qs)
    section.earned += s.qs.earned
    section.possible += s.qs.possible
    if (s.qs.possible > 0) {
      section.counted++
      counted++
    }
    if (s.dontKnow) {
      section.dontKnow++
      dk++
    }
    if (s.qs.unverified) {
      section.unverified++
      unverified++
    }
    for (const c of s.selected) {
      if (!c.red_flag) continue
      const questionText = t(e.question.text)
      const rem = c.remediation ?? e.question.remediation
      redFlags.push({
        question: e.question.id,
        section: e.section.id,
        questionText,
        choice: c.id,
        answerLabel: t(c.label),
        indicator: c.red_flag.indicator,
        indicatorLabel: INDICATORS[c.red_flag.indicator],
        why: t(c.red_flag.why),
        status: 'active',
        statusReason: '',
        escalates: p.escalateIndicators.has(c.red_flag.indicator) || p.escalateAnswers.has(`${e.question.id}:${c.id}`),
        action: t(rem?.action),
        timeframe: t(rem?.timeframe),
        days: rem?.days ?? null,
      })
    }
    if (s.gap) gaps.push(gapFor(e, r, s, section.title))
  }

  // Section and overall control scores.
  let wSum = 0
  let wScore = 0
  const parts: string[] = []
  for (const s of sections) {
    s.score = s.possible > 0 ? round1((s.earned / s.possible) * 100) : null
    if (s.score !== null && s.weight > 0) {
      wSum += s.weight
      wScore += s.weight * s.score
      parts.push(`${s.id} ${s.score} × ${s.weight}`)
    }
  }
  const overall = wSum > 0 ? round1(wScore / wSum) : null
  const cBand = controlBand(r, overall)
  const explanation =
    overall === null
      ? 'No scored question applies, so there is no control score; the rating treats it as very weak.'
      : `Weighted mean of section scores: (${parts.join(' + ')}) / ${wSum} = ${overall}. Each section score is the sum of severity weight × credit over the sum of severity weights of its applicable questions, × 100.`

  // Confidence.
  const dkShare = counted > 0 ? dk / counted : 0
  const unverifiedShare = counted > 0 ? unverified / counted : 0
  const cf = r.confidence
  const level =
    dkShare > cf.low_above_dont_know_share
      ? 'low'
      : dkShare > cf.medium_above_dont_know_share || unverifiedShare > cf.medium_above_unverified_share
        ? 'medium'
        : 'high'

  // Inherent risk.
  const applies = appliesById(cq, app.byIndex)
  const factors = inherentFactors(cq, r, p, answers, applies, dkShare)
  const uncapped = factors.reduce((s, f) => s + f.points, 0)
  const inherentScore = Math.min(r.inherent.cap, uncapped)
  const iBand = inherentBand(r, inherentScore)

  // Rating: the matrix, then the red-flag floors.
  const matrixRating = r.matrix[iBand][cBand]
  const floors: { rating: Rating; reason: string }[] = []
  applyFeeRule(cq, r, answers, applies, evidence, verified, redFlags, p)
  const gapsAfterFees = settleFeeGaps(cq, redFlags, gaps)
  const active = redFlags.filter((f) => f.status === 'active')
  const downgraded = redFlags.filter((f) => f.status === 'downgraded')
  if (active.length > 0) {
    floors.push({
      rating: r.red_flags.any,
      reason: `${active.length} red flag${active.length > 1 ? 's' : ''}: at least ${r.red_flags.any}`,
    })
  }
  const families = new Set(active.map((f) => f.indicator))
  if (families.size >= r.red_flags.families_threshold) {
    floors.push({
      rating: r.red_flags.several_families,
      reason: `red flags in ${families.size} indicator families (${[...families].map((f) => INDICATORS[f]).join(', ')}): ${r.red_flags.several_families}`,
    })
  }
  for (const f of active.filter((x) => x.escalates)) {
    floors.push({
      rating: r.red_flags.escalation,
      reason: `${f.question} "${f.answerLabel}" (${f.indicatorLabel}) escalates alone: ${r.red_flags.escalation}`,
    })
  }
  const feeRule = r.red_flags.fee_repayment[cq.def.id]
  if (downgraded.length > 0 && feeRule) {
    floors.push({
      rating: feeRule.downgraded_floor,
      reason: `recruitment-fee red flags under a repayment plan: at least ${feeRule.downgraded_floor}`,
    })
  }
  const suspected = (input.suspected ?? []).map((s) => ({
    question: s.question ?? null,
    indicator: s.indicator ?? null,
    reason: s.reason,
  }))
  if (suspected.length > 0) {
    floors.push({
      rating: r.red_flags.suspected,
      reason: `${suspected.length} suspected red flag(s) raised by a reviewer: at least ${r.red_flags.suspected} until verified`,
    })
  }
  const rating = floors.reduce((acc, f) => worse(acc, f.rating), matrixRating)

  // Gaps: red flags first, then by severity, each group in questionnaire order (a stable bucket sort).
  const buckets: Gap[][] = [[], [], [], [], [], [], [], []]
  const sevOrder = { critical: 0, high: 1, medium: 2, low: 3 } as const
  for (const g of gapsAfterFees) (buckets[(g.redFlag ? 0 : 4) + sevOrder[g.severity]] as Gap[]).push(g)
  // (Array.prototype.flat is slow in V8; a plain loop is not.)
  const sortedGaps: Gap[] = []
  for (const b of buckets) for (const g of b) sortedGaps.push(g)

  return {
    questionnaire: { id: cq.def.id, version: cq.def.version, hash: input.questionnaireHash },
    rubric: { id: r.id, version: r.version, hash: input.rubricHash },
    rating,
    ratingExplanation: { matrix: { inherentBand: iBand, controlBand: cBand, rating: matrixRating }, floors },
    control: { overall, band: cBand, sections, explanation },
    inherent: { score: inherentScore, band: iBand, uncapped, factors },
    redFlags,
    suspectedFlags: suspected,
    gaps: sortedGaps,
    confidence: {
      level,
      applicable: counted,
      dontKnow: dk,
      unverified,
      dontKnowShare: round3(dkShare),
      unverifiedShare: round3(unverifiedShare),
    },
  }
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000

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

/** Fee red flags are downgraded under a dated repayment plan and cleared once repayment is evidenced. */
function applyFeeRule(
  cq: CompiledQuestionnaire,
  r: Rubric,
  answers: ReadonlyMap<string, AnswerValue>,
  applicable: (qid: string) => boolean,
  evidence: ReadonlySet<string>,
  verified: ReadonlyMap<string, string>,
  redFlags: RedFlagItem[],
  p: Prepared,
): void {
  const rule = r.red_flags.fee_repayment[cq.def.id]
  const isFee = p.feeMatchers.get(cq.def.id)
  if (!rule || !isFee || !applicable(rule.plan_question)) return
  const plan = answers.get(rule.plan_question)
  if (typeof plan !== 'string') return
  const proven = evidence.has(rule.plan_question) || verified.has(rule.plan_question)
  for (const f of redFlags) {
    if (!isFee(f.question)) continue
    if (rule.repaid_choices.includes(plan) && proven) {
      f.status = 'cleared'
      f.statusReason = `${rule.plan_question}: fees repaid in full, with evidence`
    } else if (rule.repaid_choices.includes(plan)) {
      f.status = 'downgraded'
      f.statusReason = `${rule.plan_question}: repaid in full, but not yet evidenced`
    } else if (rule.dated_plan_choices.includes(plan)) {
      f.status = 'downgraded'
      f.statusReason = `${rule.plan_question}: repayment under way on a dated plan`
    }
    if (f.status !== 'active') f.escalates = false
  }
}

const profileIndex = new WeakMap<CompiledQuestionnaire, Map<string, QuestionEntry>>()

function inherentFactors(
  cq: CompiledQuestionnaire,
  r: Rubric,
  p: Prepared,
  answers: ReadonlyMap<string, AnswerValue>,
  applicable: (qid: string) => boolean,
  dkShare: number,
): InherentFactor[] {
  let byKey = profileIndex.get(cq)
  if (!byKey) {
    byKey = new Map<string, QuestionEntry>()
    for (const e of cq.entries) if (e.question.profile) byKey.set(e.question.profile, e)
    profileIndex.set(cq, byKey)
  }
  const index = byKey
  const get = (key: string): { e: QuestionEntry | undefined; v: AnswerValue | undefined } => {
    const e = index.get(key)
    const v = e && applicable(e.question.id) ? answers.get(e.question.id) : undefined
    return { e, v: isEmpty(v) ? undefined : v }
  }
  const ri = r.inherent
  const out: InherentFactor[] = []

  const country = get('country')
  let countryCode: string | undefined
  if (country.e) {
    if (typeof country.v === 'string') {
      countryCode = country.v
      const row = p.countries.get(country.v)
      const name = COUNTRIES[country.v] ?? country.v
      out.push(
        row && row.points !== null
          ? {
              factor: 'country',
              question: country.e.question.id,
              input: name,
              points: row.points,
              basis: `${row.basis} (${ri.country.source})`,
            }
          : {
              factor: 'country',
              question: country.e.question.id,
              input: name,
              points: ri.country.default_points,
              basis: ri.country.default_basis,
            },
      )
    } else {
      out.push({
        factor: 'country',
        question: country.e.question.id,
        input: 'not answered',
        points: ri.country_unanswered_points,
        basis: 'country unknown: scored as high risk until answered',
      })
    }
  }

  const sector = get('sector')
  if (sector.e) {
    const chosen = sector.v === undefined ? [] : Array.isArray(sector.v) ? sector.v : [String(sector.v)]
    let best = { points: ri.sector.default_points, input: 'not answered', basis: 'sector unknown: rubric default' }
    for (const s of chosen) {
      const base = ri.sector.points[s] ?? ri.sector.default_points
      const goods = countryCode ? ri.sector.listed_goods.sectors[s]?.[countryCode] : undefined
      const pts = Math.min(ri.sector.max_points, base + (goods ? ri.sector.listed_goods_points : 0))
      const label = labelOf(sector.e, s)
      const basis = goods
        ? `sector base ${base} + ${ri.sector.listed_goods_points}: ${goods.join(', ')} from this country listed for forced labour (${ri.sector.listed_goods.source}, ${ri.sector.listed_goods.year})`
        : `sector base ${base}`
      if (chosen.length === 1 || pts > best.points || best.input === 'not answered')
        best = { points: pts, input: label, basis }
    }
    out.push({
      factor: 'sector',
      question: sector.e.question.id,
      input: best.input,
      points: best.points,
      basis: best.basis,
    })
  }

  const total = get('workers_total')
  const migrants = get('migrant_workers')
  if (total.e && migrants.e) {
    if (typeof total.v === 'number' && typeof migrants.v === 'number' && total.v > 0) {
      const share = Math.min(1, migrants.v / total.v)
      const band =
        ri.migrant_share.find((b) => b.below === undefined || share < b.below) ??
        ri.migrant_share[ri.migrant_share.length - 1]
      out.push({
        factor: 'migrant_share',
        question: migrants.e.question.id,
        input: `${Math.round(share * 100)}%`,
        points: band?.points ?? 0,
        basis: band?.label ?? '',
      })
    } else {
      out.push({
        factor: 'migrant_share',
        question: migrants.e.question.id,
        input: 'unknown',
        points: ri.migrant_share_unknown_points,
        basis: 'workforce numbers missing: rubric default',
      })
    }
  }

  const channels = get('recruitment_channels')
  if (channels.e) {
    const chosen = channels.v === undefined ? [] : Array.isArray(channels.v) ? channels.v : [String(channels.v)]
    if (chosen.length === 0) {
      out.push({
        factor: 'recruitment_channels',
        question: channels.e.question.id,
        input: 'not answered',
        points: ri.recruitment_channels_unknown_points,
        basis: 'recruitment channels unknown: rubric default',
      })
    } else {
      let top = chosen[0] as string
      for (const c of chosen) if ((ri.recruitment_channels[c] ?? 0) > (ri.recruitment_channels[top] ?? 0)) top = c
      out.push({
        factor: 'recruitment_channels',
        question: channels.e.question.id,
        input: labelOf(channels.e, chosen),
        points: ri.recruitment_channels[top] ?? 0,
        basis: `riskiest channel used: ${labelOf(channels.e, top)}`,
      })
    }
  }

  for (const key of ['tied_permits', 'employer_accommodation'] as const) {
    const f = get(key)
    if (!f.e) continue
    const v = typeof f.v === 'string' ? f.v : undefined
    const table = ri[key]
    const pts = v === undefined ? Math.max(0, ...Object.values(table)) : (table[v] ?? 0)
    out.push({
      factor: key,
      question: f.e.question.id,
      input: v === undefined ? 'not answered' : labelOf(f.e, v),
      points: pts,
      basis: v === undefined ? 'not answered: counted as the riskier answer' : `rubric points for this answer`,
    })
  }

  if (dkShare > ri.dont_know.above_share) {
    out.push({
      factor: 'dont_know',
      question: null,
      input: `${Math.round(dkShare * 100)}% "don't know"`,
      points: ri.dont_know.points,
      basis: `more than ${Math.round(ri.dont_know.above_share * 100)}% of applicable questions unanswered or "don't know"`,
    })
  }
  return out
}
