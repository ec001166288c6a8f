import type { Kysely } from 'kysely'
import type { Database } from '../db/database.ts'
import { withRaw } from '../db/raw.ts'
import type { ApiTokenTable, OrganisationKind, Role, SessionTable, UserAccountTable, UserRow } from './access.table.ts'
import * as audit from './audit.repository.ts'
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from './password.ts'
import { Forbidden, type Principal, requireOrgKind, requireRole } from './principal.ts'
import { cachedSession } from './session-cache.ts'
import { accountKey, claimAttempt, clearAttempts } from './sign-in-throttle.ts'
import { hashToken, newToken } from './tokens.ts'

/**
 * People, sessions, API tokens and invitations. Every function that touches an organisation's data
 * takes the acting Principal and scopes its queries by the principal's organisation.
 */

export class AccessError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly status = 400,
  ) {
    super(message)
    this.name = 'AccessError'
  }
}

export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000
export const INVITATION_DAYS = 14

const iso = (d: Date) => d.toISOString()
export const normaliseEmail = (e: string) => e.trim().toLowerCase()

async function principalForUser(db: Kysely<Database>, userId: number): Promise<Principal | null> {
  const row = await db
    .selectFrom('user_account as u')
    .innerJoin('organisation as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.name', 'u.email', 'u.role', 'u.disabled_at', 'o.id as org_id', 'o.kind', 'o.name as org_name'])
    .where('u.id', '=', userId)
    .executeTakeFirst()
  if (!row || row.disabled_at) return null
  return userPrincipal({ ...row, user_id: row.id })
}

type PersonRow = {
  user_id: number
  name: string
  email: string
  role: Principal['role']
  org_id: number
  kind: Principal['organisationKind']
  org_name: string
}

function userPrincipal(row: PersonRow): Principal {
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

export async function userCount(db: Kysely<Database>): Promise<number> {
  const r = await db
    .selectFrom('user_account')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

export type NewOrganisation = {
  kind: OrganisationKind
  name: string
  country?: string | null
  sector?: string | null
  address?: string | null
  workersTotal?: number | null
}

export async function createOrganisation(db: Kysely<Database>, o: NewOrganisation, now = new Date()): Promise<number> {
  const row = await db
    .insertInto('organisation')
    .values({
      kind: o.kind,
      name: o.name.trim(),
      country: o.country ?? null,
      sector: o.sector ?? null,
      address: o.address ?? null,
      workers_total: o.workersTotal ?? null,
      created_at: iso(now),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export type NewUser = { organisationId: number; email: string; name: string; password: string; role: Role }

export async function createUser(
  db: Kysely<Database>,
  u: NewUser,
  actor: Principal | null,
  now = new Date(),
): Promise<number> {
  const problem = passwordProblem(u.password)
  if (problem) throw new AccessError(`Password ${problem}.`, 'password')
  const email = normaliseEmail(u.email)
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new AccessError('Enter a valid email address.', 'email')
  if (!u.name.trim()) throw new AccessError('Enter a name.', 'name')
  const exists = await db.selectFrom('user_account').select('id').where('email', '=', email).executeTakeFirst()
  if (exists) throw new AccessError('A person with this email address already has an account.', 'email', 409)
  const hash = await hashPassword(u.password)
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('user_account')
      .values({
        organisation_id: u.organisationId,
        email,
        name: u.name.trim(),
        password_hash: hash,
        role: u.role,
        disabled_at: null,
        created_at: iso(now),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await audit.record(
      trx,
      actor,
      [
        {
          organisationId: u.organisationId,
          action: 'create',
          entity: 'user',
          entityId: row.id,
          newValue: { email, name: u.name.trim(), role: u.role },
        },
      ],
      now,
    )
    return row.id
  })
}

/** The first administrator: an organisation and its admin in one go (setup page or CLI). */
export async function createAdminWithOrganisation(
  db: Kysely<Database>,
  input: { organisation: NewOrganisation; email: string; name: string; password: string },
  now = new Date(),
): Promise<{ organisationId: number; userId: number }> {
  const problem = passwordProblem(input.password)
  if (problem) throw new AccessError(`Password ${problem}.`, 'password')
  if (!input.organisation.name.trim()) throw new AccessError('Enter the organisation name.', 'organisation')
  const organisationId = await createOrganisation(db, input.organisation, now)
  const userId = await createUser(
    db,
    { organisationId, email: input.email, name: input.name, password: input.password, role: 'admin' },
    null,
    now,
  )
  return { organisationId, userId }
}

// Sessions -------------------------------------------------------------------------------------------

/**
 * Checks a password; the same answer and about the same time whether or not the email exists. Each
 * attempt counts against the address typed (sign-in-throttle.ts), known or not: too many, and it throws
 * TooManySignInAttempts before the password is looked at. Success clears the count.
 */
export async function login(
  db: Kysely<Database>,
  email: string,
  password: string,
  now = new Date(),
): Promise<{ token: string; principal: Principal } | null> {
  const normalised = normaliseEmail(email)
  const key = accountKey(normalised)
  await claimAttempt(db, key, now)
  const user = await db.selectFrom('user_account').selectAll().where('email', '=', normalised).executeTakeFirst()
  const ok = await verifyPassword(password, user?.password_hash ?? (await decoyHash()))
  if (!user || !ok || user.disabled_at) return null
  await clearAttempts(db, key)
  return startSession(db, user.id, now)
}

/** A new session for someone who has just proved who they are (signed in, or just created their account). */
export async function startSession(
  db: Kysely<Database>,
  userId: number,
  now = new Date(),
): Promise<{ token: string; principal: Principal } | null> {
  const token = newToken()
  await db
    .insertInto('session')
    .values({
      id_hash: hashToken(token),
      user_id: userId,
      created_at: iso(now),
      last_seen_at: iso(now),
      expires_at: iso(new Date(now.getTime() + SESSION_ABSOLUTE_MS)),
      revoked_at: null,
    })
    .execute()
  const principal = await principalForUser(db, userId)
  return principal ? { token, principal } : null
}

type SessionPersonRow = PersonRow &
  Pick<SessionTable, 'id_hash' | 'revoked_at' | 'expires_at' | 'last_seen_at'> &
  Pick<UserAccountTable, 'disabled_at'>

// One query for session, person and organisation: this runs on every signed-in request (see db/raw.ts).
const SESSION_PERSON = `select s.id_hash, s.revoked_at, s.expires_at, s.last_seen_at, u.id as user_id, u.name, u.email,
  u.role, u.disabled_at, o.id as org_id, o.kind, o.name as org_name
  from session s join user_account u on u.id = s.user_id join organisation o on o.id = u.organisation_id
  where s.id_hash = ?`

export function sessionPrincipal(db: Kysely<Database>, token: string, now = new Date()): Promise<Principal | null> {
  const idHash = hashToken(token)
  return withRaw(db, (sqlite) => {
    const row = cachedSession(
      db,
      idHash,
      now.getTime(),
      () => sqlite.prepare(SESSION_PERSON).get(idHash) as SessionPersonRow | undefined,
    )
    if (!row || row.revoked_at || row.disabled_at) return null
    const judged = judgeSessionTimes(row, now.getTime())
    // Ended for good: were the clock put right again, the session must not come back.
    if (judged === 'distrusted')
      sqlite.prepare('update session set revoked_at = ? where id_hash = ? and revoked_at is null').run(iso(now), idHash)
    if (judged !== 'live') return null
    const idle = Math.max(0, now.getTime() - Date.parse(row.last_seen_at))
    // Writing on every request would serialise reads behind the single writer; once a minute is enough for idle expiry.
    if (idle > 60_000) {
      sqlite.prepare('update session set last_seen_at = ? where id_hash = ?').run(iso(now), idHash)
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

export async function logout(db: Kysely<Database>, token: string, now = new Date()): Promise<void> {
  await db
    .updateTable('session')
    .set({ revoked_at: iso(now) })
    .where('id_hash', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .execute()
}

export async function changePassword(
  db: Kysely<Database>,
  p: Principal,
  current: string,
  next: string,
  now = new Date(),
): Promise<void> {
  if (p.userId === null) throw new Forbidden()
  const user = (await db
    .selectFrom('user_account')
    .selectAll()
    .where('id', '=', p.userId)
    .executeTakeFirstOrThrow()) as UserRow
  if (!(await verifyPassword(current, user.password_hash)))
    throw new AccessError('The current password is not right.', 'current')
  const problem = passwordProblem(next)
  if (problem) throw new AccessError(`New password ${problem}.`, 'password')
  const hash = await hashPassword(next)
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('user_account').set({ password_hash: hash }).where('id', '=', user.id).execute()
    // A changed password ends every session, including ones an attacker may hold.
    await trx
      .updateTable('session')
      .set({ revoked_at: iso(now) })
      .where('user_id', '=', user.id)
      .where('revoked_at', 'is', null)
      .execute()
    await audit.record(
      trx,
      p,
      [{ organisationId: p.organisationId, action: 'change_password', entity: 'user', entityId: user.id }],
      now,
    )
  })
  // The owner has just proved the old password and set a new one: earlier failed sign-ins no longer matter.
  await clearAttempts(db, accountKey(user.email))
}

// People ---------------------------------------------------------------------------------------------

export function listPeople(db: Kysely<Database>, p: Principal) {
  return db
    .selectFrom('user_account')
    .select(['id', 'email', 'name', 'role', 'disabled_at', 'created_at'])
    .where('organisation_id', '=', p.organisationId)
    .orderBy('name')
    .execute()
}

export async function setRole(
  db: Kysely<Database>,
  p: Principal,
  userId: number,
  role: Role,
  now = new Date(),
): Promise<void> {
  requireRole(p, 'admin')
  await db.transaction().execute(async (trx) => {
    const u = await trx
      .selectFrom('user_account')
      .select(['id', 'role'])
      .where('id', '=', userId)
      .where('organisation_id', '=', p.organisationId)
      .executeTakeFirst()
    if (!u) throw new AccessError('No such person in your organisation.', 'user', 404)
    if (u.id === p.userId && role !== 'admin')
      throw new AccessError('You cannot remove your own administrator role.', 'role')
    await trx.updateTable('user_account').set({ role }).where('id', '=', u.id).execute()
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: p.organisationId,
          action: 'set_role',
          entity: 'user',
          entityId: u.id,
          oldValue: u.role,
          newValue: role,
        },
      ],
      now,
    )
  })
}

export async function disableUser(db: Kysely<Database>, p: Principal, userId: number, now = new Date()): Promise<void> {
  requireRole(p, 'admin')
  if (userId === p.userId) throw new AccessError('You cannot disable your own account.', 'user')
  await db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('user_account')
      .set({ disabled_at: iso(now) })
      .where('id', '=', userId)
      .where('organisation_id', '=', p.organisationId)
      .where('disabled_at', 'is', null)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0)
      throw new AccessError('No such active person in your organisation.', 'user', 404)
    await trx
      .updateTable('session')
      .set({ revoked_at: iso(now) })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute()
    await audit.record(
      trx,
      p,
      [{ organisationId: p.organisationId, action: 'disable', entity: 'user', entityId: userId }],
      now,
    )
  })
}

// API tokens -----------------------------------------------------------------------------------------

export async function createApiToken(
  db: Kysely<Database>,
  p: Principal,
  name: string,
  role: 'analyst' | 'respondent' | 'viewer',
  now = new Date(),
): Promise<{ id: number; token: string }> {
  requireRole(p, 'admin')
  if (p.userId === null) throw new Forbidden('Tokens are created by a signed-in administrator.')
  if (!name.trim()) throw new AccessError('Give the token a name, such as the system that will use it.', 'name')
  const token = newToken('fh_')
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('api_token')
      .values({
        organisation_id: p.organisationId,
        name: name.trim(),
        token_hash: hashToken(token),
        prefix: token.slice(0, 10),
        role,
        created_by: p.userId as number,
        created_at: iso(now),
        last_used_at: null,
        revoked_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: p.organisationId,
          action: 'create',
          entity: 'api_token',
          entityId: row.id,
          newValue: { name: name.trim(), role },
        },
      ],
      now,
    )
    return { id: row.id, token }
  })
}

export async function revokeApiToken(db: Kysely<Database>, p: Principal, id: number, now = new Date()): Promise<void> {
  requireRole(p, 'admin')
  await db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('api_token')
      .set({ revoked_at: iso(now) })
      .where('id', '=', id)
      .where('organisation_id', '=', p.organisationId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0)
      throw new AccessError('No such active token in your organisation.', 'token', 404)
    await audit.record(
      trx,
      p,
      [{ organisationId: p.organisationId, action: 'revoke', entity: 'api_token', entityId: id }],
      now,
    )
  })
}

export function listApiTokens(db: Kysely<Database>, p: Principal) {
  return db
    .selectFrom('api_token')
    .select(['id', 'name', 'prefix', 'role', 'created_at', 'last_used_at', 'revoked_at'])
    .where('organisation_id', '=', p.organisationId)
    .orderBy('id', 'desc')
    .execute()
}

type TokenRow = Pick<ApiTokenTable, 'name' | 'role' | 'revoked_at' | 'last_used_at'> & {
  id: number
  org_id: number
  kind: OrganisationKind
  org_name: string
}

const TOKEN_ORGANISATION = `select t.id, t.name, t.role, t.revoked_at, t.last_used_at, o.id as org_id, o.kind, o.name as org_name
  from api_token t join organisation o on o.id = t.organisation_id where t.token_hash = ?`

export function tokenPrincipal(db: Kysely<Database>, token: string, now = new Date()): Promise<Principal | null> {
  const tokenHash = hashToken(token)
  return withRaw(db, (sqlite): Principal | null => {
    const row = sqlite.prepare(TOKEN_ORGANISATION).get(tokenHash) as TokenRow | undefined
    if (!row || row.revoked_at) return null
    if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() > 60_000)
      sqlite.prepare('update api_token set last_used_at = ? where id = ?').run(iso(now), row.id)
    return {
      kind: 'token',
      userId: null,
      tokenId: row.id,
      organisationId: row.org_id,
      organisationKind: row.kind,
      organisationName: row.org_name,
      role: row.role,
      name: row.name,
      email: null,
    }
  })
}

// Invitations ----------------------------------------------------------------------------------------

export type InvitationInput = {
  email: string
  kind: 'supplier' | 'recruiter' | 'member'
  organisationName?: string
  role?: Role
}

/**
 * A brand analyst invites a supplier or recruiter (who gets its own organisation), or an admin invites
 * a colleague (kind "member"). The link is returned to be sent by the inviter; only its hash is kept.
 */
export async function createInvitation(db: Kysely<Database>, p: Principal, input: InvitationInput, now = new Date()) {
  if (p.userId === null) throw new Forbidden('Invitations are sent by a signed-in person.')
  const email = normaliseEmail(input.email)
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new AccessError('Enter a valid email address.', 'email')
  let role: Role
  if (input.kind === 'member') {
    requireRole(p, 'admin')
    role = input.role ?? 'viewer'
  } else {
    requireOrgKind(p, 'brand')
    requireRole(p, 'admin', 'analyst')
    if (!input.organisationName?.trim())
      throw new AccessError('Enter the name of the organisation you are inviting.', 'organisationName')
    role = 'admin'
  }
  const token = newToken()
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('invitation')
      .values({
        token_hash: hashToken(token),
        inviter_user_id: p.userId as number,
        inviter_organisation_id: p.organisationId,
        email,
        kind: input.kind,
        organisation_name: input.kind === 'member' ? null : (input.organisationName?.trim() ?? null),
        organisation_id: input.kind === 'member' ? p.organisationId : null,
        role,
        created_at: iso(now),
        expires_at: iso(new Date(now.getTime() + INVITATION_DAYS * 86_400_000)),
        used_at: null,
        revoked_at: null,
      })
      .returning(['id', 'expires_at', 'email', 'role', 'organisation_name'])
      .executeTakeFirstOrThrow()
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: p.organisationId,
          action: 'create',
          entity: 'invitation',
          entityId: row.id,
          newValue: { email, kind: input.kind, role },
        },
      ],
      now,
    )
    return {
      id: row.id,
      token,
      email: row.email,
      role: row.role,
      organisationName: row.organisation_name,
      expiresAt: row.expires_at,
    }
  })
}

export function listInvitations(db: Kysely<Database>, p: Principal) {
  return db
    .selectFrom('invitation')
    .select(['id', 'email', 'kind', 'organisation_name', 'role', 'created_at', 'expires_at', 'used_at', 'revoked_at'])
    .where('inviter_organisation_id', '=', p.organisationId)
    .orderBy('id', 'desc')
    .execute()
}

export async function revokeInvitation(
  db: Kysely<Database>,
  p: Principal,
  id: number,
  now = new Date(),
): Promise<void> {
  requireRole(p, 'admin', 'analyst')
  await db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('invitation')
      .set({ revoked_at: iso(now) })
      .where('id', '=', id)
      .where('inviter_organisation_id', '=', p.organisationId)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0)
      throw new AccessError('No such open invitation from your organisation.', 'invitation', 404)
    await audit.record(
      trx,
      p,
      [{ organisationId: p.organisationId, action: 'revoke', entity: 'invitation', entityId: id }],
      now,
    )
  })
}

export type InvitationState = 'valid' | 'expired' | 'used' | 'revoked' | 'unknown'

export async function lookupInvitation(db: Kysely<Database>, token: string, now = new Date()) {
  // A malformed token is answered like an unknown one, without a database look-up that could be timed.
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { state: 'unknown' as InvitationState, invitation: undefined }
  const inv = await db
    .selectFrom('invitation as i')
    .innerJoin('organisation as o', 'o.id', 'i.inviter_organisation_id')
    .selectAll('i')
    .select('o.name as inviter_name')
    .where('i.token_hash', '=', hashToken(token))
    .executeTakeFirst()
  let state: InvitationState = 'valid'
  if (!inv) state = 'unknown'
  else if (inv.revoked_at) state = 'revoked'
  else if (inv.used_at) state = 'used'
  else if (iso(now) > inv.expires_at) state = 'expired'
  return { state, invitation: inv }
}

/**
 * Accepting an invitation creates the organisation (for a supplier or recruiter) and its first user,
 * links it to the inviting brand, and uses the invitation up, all in one transaction.
 */
export async function acceptInvitation(
  db: Kysely<Database>,
  token: string,
  input: { name: string; password: string; organisationName?: string; country?: string | null },
  now = new Date(),
): Promise<{ userId: number; organisationId: number }> {
  const { state, invitation } = await lookupInvitation(db, token, now)
  if (state !== 'valid' || !invitation) throw new AccessError(invitationMessage(state), 'token', 410)
  const problem = passwordProblem(input.password)
  if (problem) throw new AccessError(`Password ${problem}.`, 'password')
  if (!input.name.trim()) throw new AccessError('Enter your name.', 'name')
  const existing = await db
    .selectFrom('user_account')
    .select('id')
    .where('email', '=', invitation.email)
    .executeTakeFirst()
  if (existing)
    throw new AccessError('This email address already has an account: sign in and open the link again.', 'email', 409)
  const hash = await hashPassword(input.password)
  return db.transaction().execute(async (trx) => {
    // Re-check inside the transaction: a link used twice at once must create one account only.
    const used = await trx
      .updateTable('invitation')
      .set({ used_at: iso(now) })
      .where('id', '=', invitation.id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (Number(used.numUpdatedRows) !== 1) throw new AccessError(invitationMessage('used'), 'token', 410)
    let organisationId = invitation.organisation_id
    if (invitation.kind !== 'member') {
      const org = await trx
        .insertInto('organisation')
        .values({
          kind: invitation.kind,
          name: (input.organisationName?.trim() || invitation.organisation_name) ?? 'Unnamed',
          country: input.country ?? null,
          sector: null,
          address: null,
          workers_total: null,
          created_at: iso(now),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      organisationId = org.id
      await trx
        .insertInto('brand_supplier')
        .values({
          brand_id: invitation.inviter_organisation_id,
          supplier_id: org.id,
          internal_code: null,
          tier: null,
          created_at: iso(now),
        })
        .execute()
    }
    const user = await trx
      .insertInto('user_account')
      .values({
        organisation_id: organisationId as number,
        email: invitation.email,
        name: input.name.trim(),
        password_hash: hash,
        role: invitation.role,
        disabled_at: null,
        created_at: iso(now),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await audit.record(
      trx,
      null,
      [
        {
          organisationId: organisationId as number,
          action: 'accept_invitation',
          entity: 'user',
          entityId: user.id,
          newValue: { email: invitation.email, role: invitation.role },
        },
        {
          organisationId: invitation.inviter_organisation_id,
          action: 'accepted',
          entity: 'invitation',
          entityId: invitation.id,
        },
      ],
      now,
    )
    return { userId: user.id, organisationId: organisationId as number }
  })
}

/** Links an existing supplier or recruiter account to the inviting brand (the invitee is signed in). */
export async function acceptInvitationAsExisting(
  db: Kysely<Database>,
  token: string,
  p: Principal,
  now = new Date(),
): Promise<void> {
  const { state, invitation } = await lookupInvitation(db, token, now)
  if (state !== 'valid' || !invitation) throw new AccessError(invitationMessage(state), 'token', 410)
  if (p.email !== invitation.email)
    throw new AccessError(`This invitation is for ${invitation.email}; you are signed in as ${p.email}.`, 'email', 403)
  if (invitation.kind === 'member' || p.organisationKind !== invitation.kind)
    throw new AccessError('This invitation cannot be joined from your organisation.', 'token', 403)
  await db.transaction().execute(async (trx) => {
    const used = await trx
      .updateTable('invitation')
      .set({ used_at: iso(now) })
      .where('id', '=', invitation.id)
      .where('used_at', 'is', null)
      .executeTakeFirst()
    if (Number(used.numUpdatedRows) !== 1) throw new AccessError(invitationMessage('used'), 'token', 410)
    await trx
      .insertInto('brand_supplier')
      .values({
        brand_id: invitation.inviter_organisation_id,
        supplier_id: p.organisationId,
        internal_code: null,
        tier: null,
        created_at: iso(now),
      })
      .onConflict((oc) => oc.columns(['brand_id', 'supplier_id']).doNothing())
      .execute()
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: invitation.inviter_organisation_id,
          action: 'accepted',
          entity: 'invitation',
          entityId: invitation.id,
        },
      ],
      now,
    )
  })
}

export function invitationMessage(state: InvitationState): string {
  switch (state) {
    case 'expired':
      return 'This invitation has expired. Ask the person who invited you for a new link.'
    case 'used':
      return 'This invitation has already been used. Sign in instead, or ask for a new link.'
    case 'revoked':
      return 'This invitation was withdrawn by the organisation that sent it.'
    case 'unknown':
      return 'This invitation link is not valid. Check that you copied the whole link.'
    default:
      return ''
  }
}

// Brands' supplier lists -----------------------------------------------------------------------------

export function listSuppliers(db: Kysely<Database>, p: Principal) {
  return db
    .selectFrom('brand_supplier as bs')
    .innerJoin('organisation as o', 'o.id', 'bs.supplier_id')
    .select(['o.id', 'o.name', 'o.kind', 'o.country', 'o.sector', 'o.workers_total', 'bs.internal_code', 'bs.tier'])
    .where('bs.brand_id', '=', p.organisationId)
    .orderBy('o.name')
    .execute()
}

export async function updateSupplierLink(
  db: Kysely<Database>,
  p: Principal,
  supplierId: number,
  fields: { internalCode: string | null; tier: number | null },
  now = new Date(),
) {
  requireOrgKind(p, 'brand')
  requireRole(p, 'admin', 'analyst')
  await db.transaction().execute(async (trx) => {
    const old = await trx
      .selectFrom('brand_supplier')
      .selectAll()
      .where('brand_id', '=', p.organisationId)
      .where('supplier_id', '=', supplierId)
      .executeTakeFirst()
    if (!old) throw new AccessError('This organisation is not on your supplier list.', 'supplier', 404)
    await trx
      .updateTable('brand_supplier')
      .set({ internal_code: fields.internalCode, tier: fields.tier })
      .where('brand_id', '=', p.organisationId)
      .where('supplier_id', '=', supplierId)
      .execute()
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: p.organisationId,
          action: 'update',
          entity: 'supplier_link',
          entityId: supplierId,
          oldValue: { code: old.internal_code, tier: old.tier },
          newValue: { code: fields.internalCode, tier: fields.tier },
        },
      ],
      now,
    )
  })
}
