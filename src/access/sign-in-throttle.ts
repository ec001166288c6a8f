import { createHash } from 'node:crypto'
import type { Db } from '../db/connection.ts'
import * as throttle from './sign-in-throttle.repository.ts'

/**
 * How often one account may be tried (ASVS 2.2.1), beside the per-address limit of the sign-in route: an
 * attacker with many addresses still gets few guesses at one account. Kept per email address as typed
 * (normalised), whether or not an account has it, so that the limit answers exactly alike for an unknown
 * address and a known one and tells nobody which addresses have accounts.
 *
 * An attempt is counted when it starts, before the password is checked (checking takes a while, and
 * attempts arriving meanwhile must see it); a successful sign-in clears the count. A refused attempt is
 * answered at once with the time to wait: nothing sleeps, so waiting attackers hold no server resources.
 */
export const FREE_ATTEMPTS = 5
/** The delay after the free attempts doubles from 1 s up to this. */
export const MAX_DELAY_MS = 30_000
/** At most this many failed attempts on one account in any hour. */
export const MAX_FAILURES_PER_HOUR = 100
const HOUR_MS = 60 * 60 * 1000

export type ThrottleState = { failures: number; lastAttemptMs: number }
export type Verdict = { allowed: true; next: ThrottleState } | { allowed: false; retryAfterMs: number }

/** How long to wait after `failures` failed attempts before the next one is heard. */
export function delayAfter(failures: number): number {
  if (failures >= MAX_FAILURES_PER_HOUR) return HOUR_MS
  if (failures < FREE_ATTEMPTS) return 0
  return Math.min(1000 * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_MS)
}

/**
 * Whether an attempt at `nowMs` is heard, and the state after it. The count starts again only after a quiet
 * hour (no attempt heard for an hour), and the hundredth failure is followed by an hour's wait: so the
 * failures heard in any hour, wherever it starts, are at most MAX_FAILURES_PER_HOUR. A last attempt in the
 * future (the clock was set back) counts as now: the count is kept and the wait runs from now, so setting
 * the clock back neither clears an account's count nor locks it until the clock catches up.
 */
export function decide(state: ThrottleState | undefined, nowMs: number): Verdict {
  const last = state ? Math.min(state.lastAttemptMs, nowMs) : Number.NaN
  const failures = state && Number.isFinite(last) && nowMs - last < HOUR_MS ? state.failures : 0
  if (failures > 0) {
    const waitUntil = last + delayAfter(failures)
    if (nowMs < waitUntil) return { allowed: false, retryAfterMs: waitUntil - nowMs }
  }
  return { allowed: true, next: { failures: failures + 1, lastAttemptMs: nowMs } }
}

export class TooManySignInAttempts extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(
      `Too many attempts to sign in with this email address. Wait ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'} and try again.`,
    )
    this.name = 'TooManySignInAttempts'
  }
}

/** The address only as a hash: people type passwords into the email field, and those must not be kept. */
export const accountKey = (normalisedEmail: string) => createHash('sha256').update(normalisedEmail).digest('hex')

/**
 * Counts an attempt on the account, or throws TooManySignInAttempts without counting it. One synchronous
 * transaction, so that simultaneous attempts are each counted. Rows quiet for an hour are removed on the way.
 */
export function claimAttempt(db: Db, key: string, now: Date): Promise<void> {
  return throttle.inTransaction(db, key, (s) => {
    const row = s.find(key)
    const verdict = decide(
      row && { failures: row.failures, lastAttemptMs: Date.parse(row.last_attempt_at) },
      now.getTime(),
    )
    if (!verdict.allowed) throw new TooManySignInAttempts(Math.ceil(verdict.retryAfterMs / 1000))
    s.deleteQuietSince(new Date(now.getTime() - HOUR_MS).toISOString())
    s.save(key, verdict.next.failures, now.toISOString())
  })
}

/** Forgets the account's attempts (after a successful sign-in or a password change). */
export function clearAttempts(db: Db, key: string): Promise<void> {
  return throttle.clear(db, key)
}
