import type { AnswerValue } from '../questionnaire/condition.ts'
import type { CompiledQuestionnaire, QuestionEntry } from '../questionnaire/model.ts'
import type { Gap } from './result.schema.ts'
import type { Rubric } from './rubric.schema.ts'
import type { ScoredAnswer } from './stages/types.ts'

/**
 * Everything the scoring engine remembers between scorings, in one place. Questionnaire versions and
 * rubrics never change once loaded, so what is worked out from them is kept per object in a WeakMap
 * and goes when the object goes. The stages (stages/) keep no state of their own: they read the
 * lookups prepared here, and hand their per-question results here to be shared by later scorings.
 * Whatever is shared between results is frozen: nobody may change it.
 */

// ---- Lookups prepared once per rubric ----

export type PreparedRubric = {
  countries: Map<string, { points: number | null; basis: string }>
  /** Surveyed recruitment costs by corridor, "NP-MY" (rubric 2026.2). */
  corridorCosts: Map<string, NonNullable<Rubric['inherent']['corridors']>['costs']['corridors'][number]>
  /** The capped group of each grouped factor (rubric 2026.2). */
  factorGroups: Map<string, NonNullable<Rubric['inherent']['groups']>[number]>
  /** Per questionnaire id: whether a question is one of the fee questions of the repayment rule. */
  feeMatchers: Map<string, (qid: string) => boolean>
  /** `question:choice` pairs that escalate alone. */
  escalateAnswers: Set<string>
  escalateIndicators: Set<string>
}

const rubrics = new WeakMap<Rubric, PreparedRubric>()

export function preparedRubric(r: Rubric): PreparedRubric {
  let p = rubrics.get(r)
  if (p) return p
  const feeMatchers = new Map<string, (qid: string) => boolean>()
  for (const [qid, rule] of Object.entries(r.red_flags.fee_repayment)) {
    const exact = new Set(rule.fee_questions.filter((x) => !x.endsWith('*')))
    const prefixes = rule.fee_questions.filter((x) => x.endsWith('*')).map((x) => x.slice(0, -1))
    feeMatchers.set(qid, (id) => exact.has(id) || prefixes.some((pre) => id.startsWith(pre)))
  }
  const factorGroups: PreparedRubric['factorGroups'] = new Map()
  for (const g of r.inherent.groups ?? []) for (const f of g.factors) factorGroups.set(f, g)
  p = {
    countries: new Map(r.inherent.country.countries.map((c) => [c.code, { points: c.points, basis: c.basis }])),
    corridorCosts: new Map(
      (r.inherent.corridors?.costs.corridors ?? []).map((c) => [`${c.origin}-${c.destination}`, c]),
    ),
    factorGroups,
    feeMatchers,
    escalateAnswers: new Set(r.red_flags.escalate_answers),
    escalateIndicators: new Set(r.red_flags.escalate_indicators),
  }
  rubrics.set(r, p)
  return p
}

// ---- Lookups prepared once per questionnaire version ----

export type PreparedQuestionnaire = {
  /** For each entry, the index of its section among the scored sections (profile sections are not scored). */
  sectionSlots: Int16Array
  /** Profile questions by their profile key (`country`, `sector`, …). */
  profile: Map<string, QuestionEntry>
}

const questionnaires = new WeakMap<CompiledQuestionnaire, PreparedQuestionnaire>()

export function preparedQuestionnaire(cq: CompiledQuestionnaire): PreparedQuestionnaire {
  let p = questionnaires.get(cq)
  if (p) return p
  const scoredIds = cq.def.sections.filter((s) => !s.profile).map((s) => s.id)
  const profile = new Map<string, QuestionEntry>()
  for (const e of cq.entries) if (e.question.profile) profile.set(e.question.profile, e)
  p = { sectionSlots: Int16Array.from(cq.entries, (e) => scoredIds.indexOf(e.section.id)), profile }
  questionnaires.set(cq, p)
  return p
}

// ---- Per question ----

const sources = new WeakMap<object, string[]>()

/** Source labels ("ILO-GP 7") of a question, made once per question object. */
export function sourceLabels(e: QuestionEntry): string[] {
  let labels = sources.get(e.question)
  if (!labels) {
    labels = e.question.sources.map((src) => (src.clause ? `${src.framework} ${src.clause}` : src.framework))
    sources.set(e.question, labels)
  }
  return labels
}

const notAsked = new WeakMap<QuestionEntry, readonly [ScoredAnswer, ScoredAnswer]>()

/**
 * The result of a question that is not asked: one frozen object per question and reason
 * ([its condition is not met, its section does not apply]), built by `build` the first time.
 */
export function notAskedAnswer(
  e: QuestionEntry,
  sectionApplies: boolean,
  build: (e: QuestionEntry) => readonly [ScoredAnswer, ScoredAnswer],
): ScoredAnswer {
  let rows = notAsked.get(e)
  if (!rows) {
    rows = build(e)
    for (const row of rows) freeze(row)
    notAsked.set(e, rows)
  }
  return sectionApplies ? rows[0] : rows[1]
}

// ---- Per answer: the scored answer and its gap ----

/**
 * Scoring one question is a pure function of the question, the rubric, the answer, its evidence and
 * its verification, so results are kept per answer for each (rubric, questionnaire version, question).
 */
type Cached = ScoredAnswer & { gapItem?: Gap; proofGap?: Gap }
export type AnswerCache = {
  /** The common case: one choice id, no reviewer verification; [without evidence, with evidence]. */
  simple: Map<string, [Cached | undefined, Cached | undefined]>
  other: Map<string, Cached>
}
/** Free text answers are unbounded; only a bounded number of distinct answers is remembered per question. */
const MAX_CACHED = 256

const answers = new WeakMap<Rubric, WeakMap<CompiledQuestionnaire, AnswerCache[]>>()

/** The answer caches of every question, by entry index, for one rubric: looked up once per scoring. */
export function answerCaches(r: Rubric, cq: CompiledQuestionnaire): AnswerCache[] {
  let perQ = answers.get(r)
  if (!perQ) {
    perQ = new WeakMap()
    answers.set(r, perQ)
  }
  let caches = perQ.get(cq)
  if (!caches) {
    caches = cq.entries.map(() => ({ simple: new Map(), other: new Map() }))
    perQ.set(cq, caches)
  }
  return caches
}

type ScoreAnswer = (
  e: QuestionEntry,
  r: Rubric,
  value: AnswerValue | undefined,
  hasEvidence: boolean,
  verifiedBy: string | null,
) => ScoredAnswer

/** The scored answer from the cache, or `scoreAnswer`'s (then kept, frozen). */
export function cachedAnswer(
  cache: AnswerCache,
  scoreAnswer: ScoreAnswer,
  e: QuestionEntry,
  r: Rubric,
  value: AnswerValue | undefined,
  hasEvidence: boolean,
  verifiedBy: string | null,
): ScoredAnswer {
  if (typeof value === 'string' && verifiedBy === null) {
    let pair = cache.simple.get(value)
    if (!pair) {
      pair = [undefined, undefined]
      if (cache.simple.size < MAX_CACHED) cache.simple.set(value, pair)
    }
    const i = hasEvidence ? 1 : 0
    let hit = pair[i]
    if (!hit) {
      hit = freeze(scoreAnswer(e, r, value, hasEvidence, verifiedBy))
      pair[i] = hit
    }
    return hit
  }
  const key = `${Array.isArray(value) ? value.join('\u0001') : value === undefined ? '\u0000' : String(value)}|${hasEvidence ? 1 : 0}|${verifiedBy ?? ''}`
  let hit = cache.other.get(key)
  if (!hit) {
    hit = freeze(scoreAnswer(e, r, value, hasEvidence, verifiedBy))
    if (cache.other.size < MAX_CACHED) cache.other.set(key, hit)
  }
  return hit
}

/** The gap of a scored answer: built by `build` once per cached answer and shared, frozen. */
export function cachedGap(
  s: ScoredAnswer,
  build: (e: QuestionEntry, r: Rubric, s: ScoredAnswer) => Gap,
  e: QuestionEntry,
  r: Rubric,
): Gap {
  return keptGap(s, 'gapItem', build, e, r)
}

/** The verification gap of a scored answer (2026.2): like `cachedGap`, kept beside it. */
export function cachedProofGap(
  s: ScoredAnswer,
  build: (e: QuestionEntry, r: Rubric, s: ScoredAnswer) => Gap,
  e: QuestionEntry,
  r: Rubric,
): Gap {
  return keptGap(s, 'proofGap', build, e, r)
}

function keptGap(
  s: ScoredAnswer,
  slot: 'gapItem' | 'proofGap',
  build: (e: QuestionEntry, r: Rubric, s: ScoredAnswer) => Gap,
  e: QuestionEntry,
  r: Rubric,
): Gap {
  const c = s as Cached
  const kept = c[slot]
  if (kept) return kept
  const made = Object.freeze(build(e, r, s)) as Gap
  c[slot] = made
  return made
}

/** The row is frozen; the wrapper stays open for its gap to be kept on it. */
function freeze(s: ScoredAnswer): ScoredAnswer {
  Object.freeze(s.qs)
  return s
}
