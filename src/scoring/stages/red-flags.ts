import type { AnswerValue } from '../../questionnaire/condition.ts'
import type { CompiledQuestionnaire, QuestionEntry } from '../../questionnaire/model.ts'
import type { Choice } from '../../questionnaire/questionnaire.schema.ts'
import { t } from '../../questionnaire/text.ts'
import { INDICATORS, type IndicatorKey } from '../../questionnaire/vocabulary.ts'
import { type PreparedRubric, preparedRubric } from '../memo.ts'
import type { RedFlagItem, ScoreResult } from '../result.schema.ts'
import type { Rubric } from '../rubric.schema.ts'
import type { Applicable } from './applicability.ts'
import type { QuestionPoints } from './types.ts'

/**
 * A stage of the score (scoring.md §6): every red-flag answer, in questionnaire order, with its indicator and
 * whether it escalates alone; then the fee-repayment rule (§6.1) downgrades or clears fee red flags.
 */
export function redFlags(
  cq: CompiledQuestionnaire,
  r: Rubric,
  points: QuestionPoints,
  answers: ReadonlyMap<string, AnswerValue>,
  applicable: Applicable,
  evidence: ReadonlySet<string>,
  verified: ReadonlyMap<string, string>,
): RedFlagItem[] {
  const p = preparedRubric(r)
  const out: RedFlagItem[] = []
  for (let i = 0; i < points.length; i++) {
    const selected = points[i]?.selected
    if (!selected) continue
    for (let k = 0; k < selected.length; k++) {
      const c = selected[k]!
      if (!c.red_flag) continue
      // The item of one question's choice is the same in every result: built once, copied (the fee rule below
      // changes the copy's status).
      out.push({ ...baseItem(cq.entries[i] as QuestionEntry, c, p) })
    }
  }
  applyFeeRule(cq, r, p, answers, applicable.question, evidence, verified, out)
  return out
}

const baseItems = new WeakMap<object, WeakMap<PreparedRubric, RedFlagItem>>()

function baseItem(e: QuestionEntry, c: Choice, p: PreparedRubric): RedFlagItem {
  let perRubric = baseItems.get(c)
  if (!perRubric) {
    perRubric = new WeakMap()
    baseItems.set(c, perRubric)
  }
  let item = perRubric.get(p)
  if (item) return item
  const flag = c.red_flag as NonNullable<Choice['red_flag']>
  const rem = c.remediation ?? e.question.remediation
  item = Object.freeze({
    question: e.question.id,
    section: e.section.id,
    questionText: t(e.question.text),
    choice: c.id,
    answerLabel: t(c.label),
    indicator: flag.indicator,
    indicatorLabel: INDICATORS[flag.indicator],
    why: t(flag.why),
    status: 'active',
    statusReason: '',
    escalates: p.escalateIndicators.has(flag.indicator) || p.escalateAnswers.has(`${e.question.id}:${c.id}`),
    action: t(rem?.action),
    timeframe: t(rem?.timeframe),
    days: rem?.days ?? null,
  }) as RedFlagItem
  perRubric.set(p, item)
  return item
}

/** Fee red flags are downgraded under a dated repayment plan and cleared once repayment is evidenced. */
function applyFeeRule(
  cq: CompiledQuestionnaire,
  r: Rubric,
  p: PreparedRubric,
  answers: ReadonlyMap<string, AnswerValue>,
  applicable: (qid: string) => boolean,
  evidence: ReadonlySet<string>,
  verified: ReadonlyMap<string, string>,
  redFlags: RedFlagItem[],
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

/** A reviewer's precautionary ("suspected") red flag (§6.2). */
export type SuspectedInput = { question?: string | null; indicator?: IndicatorKey | null; reason: string }

/** The suspected red flags as the result lists them. */
export function suspectedFlags(suspected: readonly SuspectedInput[] | undefined): ScoreResult['suspectedFlags'] {
  return (suspected ?? []).map((s) => ({
    question: s.question ?? null,
    indicator: s.indicator ?? null,
    reason: s.reason,
  }))
}
