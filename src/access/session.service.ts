import type { Db } from '../db/connection.ts'
import type { SessionTable } from './access.table.ts'
import { normaliseEmail } from './email.ts'
import { decoyHash, verifyPassword } from './password.ts'
import * as people from './person.repository.ts'
import type { Principal } from './principal.ts'
import * as sessions from './session.repository.ts'
import { cachedSession } from './session-cache.ts'
import { accountKey, claimAttempt, clearAttempts } from './sign-in-throttle.ts'
import { hashToken, newToken } from './tokens.ts'

/** Signing in and out, and who a session cookie belongs to. */

export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000

const iso = (d: Date) => d.toISOString()

function userPrincipal(row: people.PersonRow): Principal {
  return {
    kind: 'user',
    userId: row.user_id,
    tokenId: null,
    organisationId: row.org_id,
    organisationKind: row.kind,
    organisationName: row.org_name,
    role: row.role,
    name: row.name,
    email: row.email,
  }
}

async function principalForUser(db: Db, userId: number): Promise<Principal | null> {
  const row = await people.findWithOrganisation(db, userId)
  if (!row || row.disabled_at) return null
  return userPrincipal(row)
}

/**
 * Checks a password; the same answer and about the same time whether or not the email exists. Each
 * attempt counts against the address typed (sign-in-throttle.ts), known or not: too many, and it throws
 * TooManySignInAttempts before the password is looked at. Success clears the count.
 */
export async function login(
  db: Db,
  email: string,
  password: string,
  now = new Date(),
): Promise<{ token: string; principal: Principal } | null> {
  const normalised = normaliseEmail(email)
  const key = accountKey(normalised)
  await claimAttempt(db, key, now)
  const user = await people.findByEmail(db, normalised)
  const ok = await verifyPassword(password, user?.password_hash ?? (await decoyHash()))
  if (!user || !ok || user.disabled_at) return null
  await clearAttempts(db, key)
  return startSession(db, user.id, now)
}

/** A new session for someone who has just proved who they are (signed in, or just created their account). */
export async function startSession(
  db: Db,
  userId: number,
  now = new Date(),
): Promise<{ token: string; principal: Principal } | null> {
  const token = newToken()
  await sessions.insertSession(db, {
    id_hash: hashToken(token),
    user_id: userId,
    created_at: iso(now),
    last_seen_at: iso(now),
    expires_at: iso(new Date(now.getTime() + SESSION_ABSOLUTE_MS)),
    revoked_at: null,
  })
  const principal = await principalForUser(db, userId)
  return principal ? { token, principal } : null
}

/** Who a session cookie belongs to. This runs on every signed-in request: one query, cached for seconds. */
export function sessionPrincipal(db: Db, token: string, now = new Date()): Promise<Principal | null> {
  const idHash = hashToken(token)
  return sessions.withSessionStatements(db, idHash, (s) => {
    const row = cachedSession(db, idHash, now.getTime(), () => s.findWithPerson(idHash))
    if (!row || row.revoked_at || row.disabled_at) return null
    const judged = judgeSessionTimes(row, now.getTime())
    // Ended for good: were the clock put right again, the session must not come back.
    if (judged === 'distrusted') s.end(idHash, iso(now))
    if (judged !== 'live') return null
    const idle = Math.max(0, now.getTime() - Date.parse(row.last_seen_at))
    // Writing on every request would serialise reads behind the single writer; once a minute is enough for idle expiry.
    if (idle > 60_000) {
      s.touch(idHash, iso(now))
      row.last_seen_at = iso(now)
    }
    return userPrincipal(row)
  })
}

/**
 * A session's times can be judged only on a clock that has not gone back past them. A last use or an
 * expiry further in the future than a session allows means the clock was set back (or the row came from
 * a machine ahead of this one): judged as they stand, such times would put off the idle expiry until the
 * clock caught up (a last use in the future is never even moved forward). Such a session is distrusted and
 * ended; its person signs in again. Small steps (up to CLOCK_TOLERANCE_MS) are forgiven. Unreadable times
 * are distrusted too, rather than compared as NaN, which never expires.
 */
const CLOCK_TOLERANCE_MS = 5 * 60 * 1000

function judgeSessionTimes(
  row: Pick<SessionTable, 'expires_at' | 'last_seen_at'>,
  nowMs: number,
): 'live' | 'expired' | 'distrusted' {
  const lastSeen = Date.parse(row.last_seen_at)
  const expires = Date.parse(row.expires_at)
  if (!Number.isFinite(lastSeen) || !Number.isFinite(expires)) return 'distrusted'
  if (lastSeen - nowMs > CLOCK_TOLERANCE_MS || expires - nowMs > SESSION_ABSOLUTE_MS + CLOCK_TOLERANCE_MS)
    return 'distrusted'
  if (nowMs >= expires || nowMs - lastSeen > SESSION_IDLE_MS) return 'expired'
  return 'live'
}

export async function logout(db: Db, token: string, now = new Date()): Promise<void> {
  await sessions.revoke(db, hashToken(token), iso(now))
}
