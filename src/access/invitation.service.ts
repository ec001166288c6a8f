import type { Db } from '../db/connection.ts'
import { inTransaction } from '../db/transaction.ts'
import * as supplierLinks from '../supplier-links/supplier-link.repository.ts'
import type { Role } from './access.table.ts'
import { AccessError } from './access-error.ts'
import * as audit from './audit.repository.ts'
import { isEmailAddress, normaliseEmail } from './email.ts'
import * as invitations from './invitation.repository.ts'
import * as organisations from './organisation.repository.ts'
import { hashPassword, passwordProblem } from './password.ts'
import * as people from './person.repository.ts'
import { Forbidden, type Principal, requireOrgKind, requireRole } from './principal.ts'
import { hashToken, newToken } from './tokens.ts'

/** Invitations: to a colleague, or to a supplier or recruiter that a brand wants on its list. */

export const INVITATION_DAYS = 14

const iso = (d: Date) => d.toISOString()

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
export async function createInvitation(db: Db, p: Principal, input: InvitationInput, now = new Date()) {
  if (p.userId === null) throw new Forbidden('Invitations are sent by a signed-in person.')
  const email = normaliseEmail(input.email)
  if (!isEmailAddress(email)) throw new AccessError('Enter a valid email address.', 'email')
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
  return inTransaction(db, async (trx) => {
    const row = await invitations.insertInvitation(trx, {
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

export function listInvitations(db: Db, p: Principal) {
  return invitations.listFromOrganisation(db, p.organisationId)
}

export async function revokeInvitation(db: Db, p: Principal, id: number, now = new Date()): Promise<void> {
  requireRole(p, 'admin', 'analyst')
  await inTransaction(db, async (trx) => {
    if ((await invitations.revokeOpen(trx, id, p.organisationId, iso(now))) === 0)
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

export async function lookupInvitation(db: Db, token: string, now = new Date()) {
  // A malformed token is answered like an unknown one, without a database look-up that could be timed.
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { state: 'unknown' as InvitationState, invitation: undefined }
  const inv = await invitations.findByTokenHash(db, hashToken(token))
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
  db: Db,
  token: string,
  input: { name: string; password: string; organisationName?: string; country?: string | null },
  now = new Date(),
): Promise<{ userId: number; organisationId: number }> {
  const { state, invitation } = await lookupInvitation(db, token, now)
  if (state !== 'valid' || !invitation) throw new AccessError(invitationMessage(state), 'token', 410)
  const problem = passwordProblem(input.password)
  if (problem) throw new AccessError(`Password ${problem}.`, 'password')
  if (!input.name.trim()) throw new AccessError('Enter your name.', 'name')
  const existing = await people.findIdByEmail(db, invitation.email)
  if (existing)
    throw new AccessError('This email address already has an account: sign in and open the link again.', 'email', 409)
  const hash = await hashPassword(input.password)
  return inTransaction(db, async (trx) => {
    // Re-check inside the transaction: a link used twice at once must create one account only.
    if ((await invitations.markUsed(trx, invitation.id, iso(now), { unlessRevoked: true })) !== 1)
      throw new AccessError(invitationMessage('used'), 'token', 410)
    let organisationId = invitation.organisation_id
    if (invitation.kind !== 'member') {
      organisationId = await organisations.insertOrganisation(trx, {
        kind: invitation.kind,
        name: (input.organisationName?.trim() || invitation.organisation_name) ?? 'Unnamed',
        country: input.country ?? null,
        sector: null,
        address: null,
        workers_total: null,
        created_at: iso(now),
      })
      await supplierLinks.insertLink(trx, invitation.inviter_organisation_id, organisationId, iso(now), {
        ifMissing: false,
      })
    }
    const userId = await people.insertUser(trx, {
      organisation_id: organisationId as number,
      email: invitation.email,
      name: input.name.trim(),
      password_hash: hash,
      role: invitation.role,
      disabled_at: null,
      created_at: iso(now),
    })
    await audit.record(
      trx,
      null,
      [
        {
          organisationId: organisationId as number,
          action: 'accept_invitation',
          entity: 'user',
          entityId: userId,
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
    return { userId, organisationId: organisationId as number }
  })
}

/** Links an existing supplier or recruiter account to the inviting brand (the invitee is signed in). */
export async function acceptInvitationAsExisting(db: Db, token: string, p: Principal, now = new Date()): Promise<void> {
  const { state, invitation } = await lookupInvitation(db, token, now)
  if (state !== 'valid' || !invitation) throw new AccessError(invitationMessage(state), 'token', 410)
  if (p.email !== invitation.email)
    throw new AccessError(`This invitation is for ${invitation.email}; you are signed in as ${p.email}.`, 'email', 403)
  if (invitation.kind === 'member' || p.organisationKind !== invitation.kind)
    throw new AccessError('This invitation cannot be joined from your organisation.', 'token', 403)
  await inTransaction(db, async (trx) => {
    if ((await invitations.markUsed(trx, invitation.id, iso(now), { unlessRevoked: false })) !== 1)
      throw new AccessError(invitationMessage('used'), 'token', 410)
    await supplierLinks.insertLink(trx, invitation.inviter_organisation_id, p.organisationId, iso(now), {
      ifMissing: true,
    })
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
