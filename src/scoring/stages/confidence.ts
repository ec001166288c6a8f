import type { ScoreResult } from '../result.schema.ts'
import type { Rubric } from '../rubric.schema.ts'
import { round3 } from './round.ts'
import type { Tally } from './types.ts'

/** The share of applicable questions answered "don't know" or left unanswered (read by inherent risk too). */
export function dontKnowShare(tally: Tally): number {
  return tally.counted > 0 ? tally.dontKnow / tally.counted : 0
}

/** Stage 4 (scoring.md §8): how far the result can be relied on. It never changes the rating. */
export function confidence(r: Rubric, tally: Tally): ScoreResult['confidence'] {
  const dkShare = dontKnowShare(tally)
  const unverifiedShare = tally.counted > 0 ? tally.unverified / tally.counted : 0
  const cf = r.confidence
  const level =
    dkShare > cf.low_above_dont_know_share
      ? 'low'
      : dkShare > cf.medium_above_dont_know_share || unverifiedShare > cf.medium_above_unverified_share
        ? 'medium'
        : 'high'
  return {
    level,
    applicable: tally.counted,
    dontKnow: tally.dontKnow,
    unverified: tally.unverified,
    dontKnowShare: round3(dkShare),
    unverifiedShare: round3(unverifiedShare),
  }
}
