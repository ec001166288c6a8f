import type { CompiledQuestionnaire } from '../../questionnaire/model.ts'
import { INDICATORS } from '../../questionnaire/vocabulary.ts'
import type { RedFlagItem, ScoreResult } from '../result.schema.ts'
import { type ControlBand, type InherentBand, RATINGS, type Rating, type Rubric } from '../rubric.schema.ts'

export type RatingOutcome = { rating: Rating; ratingExplanation: ScoreResult['ratingExplanation'] }

const worse = (a: Rating, b: Rating): Rating => (RATINGS.indexOf(a) >= RATINGS.indexOf(b) ? a : b)

/**
 * A stage of the score (scoring.md §5–6): the matrix rating of inherent band × control band, then every red-flag
 * floor that applies; the rating is the worst of them.
 */
export function rating(
  cq: CompiledQuestionnaire,
  r: Rubric,
  inherentBand: InherentBand,
  controlBand: ControlBand,
  redFlags: readonly RedFlagItem[],
  suspectedCount: number,
): RatingOutcome {
  const matrixRating = r.matrix[inherentBand][controlBand]
  const floors = ratingFloors(cq, r, redFlags, suspectedCount)
  return {
    rating: floors.reduce((acc, f) => worse(acc, f.rating), matrixRating),
    ratingExplanation: { matrix: { inherentBand, controlBand, rating: matrixRating }, floors },
  }
}

/** The red-flag floors (§6), each with its reason, in a fixed order. */
function ratingFloors(
  cq: CompiledQuestionnaire,
  r: Rubric,
  redFlags: readonly RedFlagItem[],
  suspectedCount: number,
): { rating: Rating; reason: string }[] {
  const floors: { rating: Rating; reason: string }[] = []
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
  if (suspectedCount > 0) {
    floors.push({
      rating: r.red_flags.suspected,
      reason: `${suspectedCount} suspected red flag(s) raised by a reviewer: at least ${r.red_flags.suspected} until verified`,
    })
  }
  return floors
}
