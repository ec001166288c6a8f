import type { CompiledQuestionnaire } from '../../questionnaire/model.ts'
import { INDICATORS } from '../../questionnaire/vocabulary.ts'
import type { RedFlagItem, ScoreResult } from '../result.schema.ts'
import { type ControlBand, type InherentBand, RATINGS, type Rating, type Rubric } from '../rubric.schema.ts'
import type { Verification } from './verification.ts'

export type RatingOutcome = {
  rating: Rating
  ratingExplanation: ScoreResult['ratingExplanation']
  /** Rubric 2026.2: the verification rule that applied, and the caution shown beside the rating. */
  verification: Verification | null
}

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
  proof: Omit<Verification, 'rule' | 'caution'> | null = null,
): RatingOutcome {
  const v = r.verification
  const allVerified = proof !== null && proof.unverified.length === 0
  // 2026.2: once every required claim is proven, inherent risk sets only the priority of verification, not the row.
  const row: InherentBand = v && allVerified && v.verified_ignores_inherent ? 'low' : inherentBand
  const matrixRating = r.matrix[row][controlBand]
  const floors = ratingFloors(cq, r, redFlags, suspectedCount)
  let verification: Verification | null = null
  if (v && proof) {
    const n = proof.unverified.length
    let rule: string
    let caution: string | null = null
    if (n === 0) {
      rule =
        proof.required === 0
          ? 'verification rule: no question of the required severities applies'
          : `verification rule: all ${proof.required} ${v.severities.join(' and ')} answers verified` +
            (row !== inherentBand
              ? `, so inherent risk (${inherentBand}) sets verification priority only and the matrix reads the low row`
              : '')
    } else {
      const list = proof.unverified.slice(0, 8).join(', ') + (n > 8 ? ` and ${n - 8} more` : '')
      floors.push({
        rating: v.best_unverified,
        reason: `${n} of ${proof.required} ${v.severities.join(' and ')} answers not verified (${list}): at best ${v.best_unverified} until a reviewer verifies them or accepts their evidence`,
      })
      rule = `verification rule: ${n} of ${proof.required} ${v.severities.join(' and ')} answers not verified, so the best rating is ${v.best_unverified}`
      if (inherentBand === v.high_priority) {
        floors.push({
          rating: v.high_priority_rating,
          reason: `inherent risk ${inherentBand} with unverified ${v.severities.join(' and ')} claims: ${v.high_priority_rating} (${v.caution})`,
        })
        rule += `; with ${inherentBand} inherent risk it is at least ${v.high_priority_rating}`
        caution = v.caution
      }
    }
    verification = { ...proof, rule, caution }
  }
  const rating = floors.reduce((acc, f) => worse(acc, f.rating), matrixRating)
  return {
    rating,
    ratingExplanation: {
      matrix: { inherentBand, controlBand, rating: matrixRating, ...(row !== inherentBand ? { row } : {}) },
      floors,
    },
    verification,
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
