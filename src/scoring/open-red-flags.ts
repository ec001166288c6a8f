import type { ScoreResult } from './result.schema.ts'

/**
 * The red flags that count: every one not cleared (fees repaid, with evidence). A downgraded flag still
 * counts. The assessment page, score snapshots, the portfolio and both workbooks count them this way.
 */
export function openRedFlags(result: Pick<ScoreResult, 'redFlags'>): ScoreResult['redFlags'] {
  return result.redFlags.filter((f) => f.status !== 'cleared')
}

export function openRedFlagCount(result: Pick<ScoreResult, 'redFlags'>): number {
  return openRedFlags(result).length
}
