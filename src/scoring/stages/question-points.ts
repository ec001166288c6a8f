import type { AnswerValue } from '../../questionnaire/condition.ts'
import type { CompiledQuestionnaire, QuestionEntry } from '../../questionnaire/model.ts'
import type { Choice } from '../../questionnaire/questionnaire.schema.ts'
import { t } from '../../questionnaire/text.ts'
import { answerCaches, cachedAnswer, notAskedAnswer } from '../memo.ts'
import type { QuestionScore } from '../result.schema.ts'
import type { Rubric } from '../rubric.schema.ts'
import { isEmpty, labelOf } from './answer.ts'
import type { Applicable } from './applicability.ts'
import { round1 } from './round.ts'
import type { QuestionPoints, ScoredAnswer } from './types.ts'

const NONE: readonly Choice[] = Object.freeze([])

/**
 * A stage of the score (scoring.md §3.1–3.5): the credit, weight and points of every scored question, by entry
 * index. Questions that do not apply get a "not asked" row; the others are scored by `scoreAnswer`.
 */
export function questionPoints(
  cq: CompiledQuestionnaire,
  r: Rubric,
  answers: ReadonlyMap<string, AnswerValue>,
  evidence: ReadonlySet<string>,
  verified: ReadonlyMap<string, string>,
  applicable: Applicable,
): QuestionPoints {
  const caches = answerCaches(r, cq)
  const hasEvidence = evidence.size > 0
  const hasVerified = verified.size > 0
  const entries = cq.entries
  const out = new Array<ScoredAnswer | undefined>(entries.length)
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as QuestionEntry
    if (!e.scored) continue
    if (!applicable.byIndex[i]) {
      out[i] = notAskedAnswer(e, applicable.section(e.section.id), notAskedRows)
      continue
    }
    const id = e.question.id
    out[i] = cachedAnswer(
      caches[i]!,
      scoreAnswer,
      e,
      r,
      answers.get(id),
      hasEvidence && evidence.has(id),
      hasVerified ? (verified.get(id) ?? null) : null,
    )
  }
  return out
}

/** The two rows of a question that is not asked: [its condition is not met, its section does not apply]. */
function notAskedRows(e: QuestionEntry): readonly [ScoredAnswer, ScoredAnswer] {
  const row = (note: string): ScoredAnswer => ({
    qs: {
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
    },
    selected: NONE,
    dontKnow: false,
    gap: false,
  })
  return [row('its condition is not met: left out'), row('its section does not apply: left out')]
}

/** One answer to one applicable question, scored: a pure function of its arguments. */
export function scoreAnswer(
  e: QuestionEntry,
  r: Rubric,
  value: AnswerValue | undefined,
  hasEvidence: boolean,
  verifiedBy: string | null,
): ScoredAnswer {
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

  // The evidence rule (§3.3): a claim of good practice on an important question needs backing.
  let unverified = false
  // 2026.2 (a rubric with a verification block): a choice that names its honest alternative is a claim whatever
  // its credit (a level-3 answer at 0.75 claims more than level 2 and earns level 2's credit until proven).
  const claim = selected.length === 1 ? selected[0] : undefined
  const honest = r.verification && claim?.unproven_as ? e.choiceById.get(claim.unproven_as) : undefined
  const needsEvidence =
    (credit >= 1 &&
      ((q.type === 'scale' && ids[0] === 'yes' && r.evidence.severities.includes(severity)) ||
        selected.some((c) => c.needs_evidence))) ||
    (honest !== undefined && claim?.needs_evidence === true)
  if (needsEvidence && !hasEvidence && !verifiedBy) {
    const own = credit
    credit = Math.min(own, r.evidence.unverified_credit)
    // 2026.2: claiming more never earns less than a lesser answer that is not itself a claim would have earned,
    if (r.verification && credit > 0) credit = Math.min(own, Math.max(credit, plainBest(e)))
    // and a claim of a checked state never earns more, unproven, than the honest answer that it was not checked.
    if (honest?.credit !== undefined && honest.credit < credit) {
      credit = honest.credit
      note = `full credit needs evidence or verification: until then ${credit}, as for "${t(honest.label)}"`
    } else note = `full credit needs evidence or verification: ${credit} until then`
    unverified = true
  } else if (needsEvidence) {
    note = verifiedBy
      ? `verified (${verifiedBy}): ${credit >= 1 ? 'full credit' : `its credit, ${credit}`}`
      : `evidence attached: ${credit >= 1 ? 'full credit' : `its credit, ${credit}`}`
  }
  const gap = dontKnow || selected.some((c) => c.red_flag !== undefined) || (!unverified && credit < 1)
  return {
    qs: make(dontKnow ? 'dont_know' : 'counted', credit, weight, unverified, note, value ?? null),
    selected,
    dontKnow,
    gap,
  }
}

/**
 * The best credit among a question's answers the evidence rule leaves alone (below full credit; scale:
 * "partly"): an unproven full claim never earns less than they do.
 */
function plainBest(e: QuestionEntry): number {
  let best = 0
  for (const c of e.choices) {
    if (c.red_flag || c.dont_know || c.not_applicable || c.unproven_as) continue
    const credit = c.credit ?? (e.question.type === 'scale' && c.id === 'partly' ? 0.5 : 0)
    if (credit > best && credit < 1) best = credit
  }
  return best
}
