import type { Gap } from '../../scoring/result.schema.ts'
import { type GapContext, isVerificationGap, SEVERITY_RANK } from './context.ts'

/**
 * How urgent a gap is: the order of the Top actions sheet, and of the rows within each section of the Action
 * plan, so that both sheets agree. A red flag that raises the rating by itself comes first, then the other
 * active red flags; a critical claim that nobody has verified yet comes next, because until it is checked it
 * may hide one; red flags downgraded under a repayment plan follow, then every other gap by severity. Within
 * a tier: more severe first, then the shorter deadline, then questionnaire order.
 */

export const URGENCY_TIERS = ['escalating', 'active', 'unverified_critical', 'downgraded', 'gap'] as const
export type UrgencyTier = (typeof URGENCY_TIERS)[number]

/** Sorts after every tier: an action whose question is no longer a gap. */
export const CLOSED_TIER = URGENCY_TIERS.length

/** Compared element by element, smaller first. */
export type UrgencyKey = readonly [tier: number, severity: number, days: number, order: number]

const LAST = Number.MAX_SAFE_INTEGER

export const RANKING_TEXT =
  'Ranked by urgency: red flags that raise the rating by themselves, then other active red flags, claims on ' +
  'critical questions not yet verified, red flags downgraded under a repayment plan, then other gaps from ' +
  'critical to low severity; within each, the shorter deadline first, then questionnaire order.'

export function tierOf(ctx: GapContext, g: Gap): UrgencyTier {
  if (g.redFlag && g.redFlagStatus !== 'downgraded') {
    const flags = ctx.flags.get(g.question) ?? []
    return flags.some((f) => f.status === 'active' && f.escalates) ? 'escalating' : 'active'
  }
  if (isVerificationGap(g) && g.severity === 'critical') return 'unverified_critical'
  if (g.redFlag) return 'downgraded'
  return 'gap'
}

export function urgencyOf(ctx: GapContext, g: Gap): UrgencyKey {
  return [
    URGENCY_TIERS.indexOf(tierOf(ctx, g)),
    SEVERITY_RANK[g.severity],
    g.days ?? LAST,
    ctx.order.get(g.question) ?? LAST,
  ]
}

export function compareUrgency(a: UrgencyKey, b: UrgencyKey): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || a[3] - b[3]
}
