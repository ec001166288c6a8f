import type { AnswerValue } from '../../questionnaire/condition.ts'
import type { CompiledQuestionnaire, QuestionEntry } from '../../questionnaire/model.ts'
import { t } from '../../questionnaire/text.ts'
import { INDICATORS } from '../../questionnaire/vocabulary.ts'
import { preparedRubric } from '../memo.ts'
import type { RedFlagItem, ScoreResult } from '../result.schema.ts'
import type { AnswerMatch, ConsistencyRule, Rubric } from '../rubric.schema.ts'
import { isEmpty, labelOf } from './answer.ts'
import type { Applicable } from './applicability.ts'

/** A reviewer's decision on a rule's suspected flag: cleared (no floor) or confirmed (a red flag). */
export type RuleDecision = 'cleared' | 'confirmed'

type Matcher = { entries: QuestionEntry[]; test: (v: AnswerValue) => boolean }
type PreparedRule = { rule: ConsistencyRule; claim: Matcher[]; contradiction: Matcher[] }

const prepared = new WeakMap<Rubric, WeakMap<CompiledQuestionnaire, PreparedRule[]>>()

/**
 * The rubric's rules that apply to this questionnaire version, with their question ids resolved once. A rule
 * naming a question this version does not have is left out (a 2026.1 assessment scored under rubric 2026.2).
 */
function rulesFor(r: Rubric, cq: CompiledQuestionnaire): PreparedRule[] {
  let perQ = prepared.get(r)
  if (!perQ) {
    perQ = new WeakMap()
    prepared.set(r, perQ)
  }
  let rules = perQ.get(cq)
  if (rules) return rules
  const resolve = (m: AnswerMatch): Matcher | null => {
    const entries = m.question.endsWith('*')
      ? cq.entries.filter((e) => e.question.id.startsWith(m.question.slice(0, -1)))
      : cq.entries.filter((e) => e.question.id === m.question)
    if (entries.length === 0) return null
    const choices = m.choices ? new Set(m.choices) : null
    const test = (v: AnswerValue): boolean => {
      if (choices) return Array.isArray(v) ? v.some((c) => choices.has(c)) : typeof v === 'string' && choices.has(v)
      if (typeof v !== 'number') return false
      return (m.min === undefined || v >= m.min) && (m.max === undefined || v <= m.max)
    }
    return { entries, test }
  }
  rules = []
  for (const rule of r.consistency?.rules ?? []) {
    if (rule.questionnaire !== cq.def.id) continue
    const claim = rule.claim.map(resolve)
    const contradiction = rule.contradicted_by.map(resolve)
    if (claim.some((m) => m === null) || contradiction.every((m) => m === null)) continue
    rules.push({
      rule,
      claim: claim as Matcher[],
      contradiction: contradiction.filter((m): m is Matcher => m !== null),
    })
  }
  perQ.set(cq, rules)
  return rules
}

export type Consistency = { suspected: ScoreResult['suspectedFlags']; confirmed: RedFlagItem[] }

/**
 * A stage of the score (scoring.md §6.3): every consistency rule whose claim holds beside an answer that
 * contradicts it raises a suspected red flag, open until a reviewer clears it or confirms it (then it is a red
 * flag of the rule's indicator). Only applicable, answered questions count.
 */
export function consistency(
  cq: CompiledQuestionnaire,
  r: Rubric,
  answers: ReadonlyMap<string, AnswerValue>,
  applicable: Applicable,
  decisions: ReadonlyMap<string, RuleDecision>,
): Consistency {
  const out: Consistency = { suspected: [], confirmed: [] }
  if (!r.consistency) return out
  const hits = (m: Matcher): QuestionEntry[] =>
    m.entries.filter((e) => {
      const v = answers.get(e.question.id)
      return !isEmpty(v) && applicable.question(e.question.id) && m.test(v as AnswerValue)
    })
  for (const { rule, claim, contradiction } of rulesFor(r, cq)) {
    const claimed = claim.map(hits)
    if (claimed.some((h) => h.length === 0)) continue
    const against = contradiction.flatMap(hits)
    if (against.length === 0) continue
    const involved = [...claimed.flat(), ...against]
    const words = involved.map((e) => `${e.question.id}: ${labelOf(e, answers.get(e.question.id))}`)
    const decision = decisions.get(rule.id)
    const first = against[0] as QuestionEntry
    out.suspected.push({
      question: (claimed.flat()[0] ?? first).question.id,
      indicator: rule.indicator,
      reason: `${rule.title}: ${rule.reason}`,
      rule: rule.id,
      answers: words,
      status: decision ?? 'open',
      check: rule.check,
    })
    if (decision === 'confirmed') {
      out.confirmed.push({
        question: first.question.id,
        section: first.section.id,
        questionText: t(first.question.text),
        choice: String(answers.get(first.question.id)),
        answerLabel: labelOf(first, answers.get(first.question.id)),
        indicator: rule.indicator,
        indicatorLabel: INDICATORS[rule.indicator],
        why: `${rule.title}, confirmed by a reviewer: ${rule.reason}`,
        status: 'active',
        statusReason: `consistency rule ${rule.id} confirmed by a reviewer`,
        escalates: preparedRubric(r).escalateIndicators.has(rule.indicator),
        action: rule.check,
        timeframe: 'Within 30 days',
        days: 30,
      })
    }
  }
  return out
}
