import type { Db } from '../db/connection.ts'
import { inTransaction } from '../db/transaction.ts'
import type { Role } from './access.table.ts'
import { AccessError } from './access-error.ts'
import * as audit from './audit.repository.ts'
import { isEmailAddress, normaliseEmail } from './email.ts'
import { hashPassword, passwordProblem, verifyPassword } from './password.ts'
import * as people from './person.repository.ts'
import { Forbidden, type Principal, requireRole } from './principal.ts'
import * as sessions from './session.repository.ts'
import { accountKey, clearAttempts } from './sign-in-throttle.ts'

/**
 * People: accounts, roles, passwords, disabling. Every function that touches an organisation's people
 * takes the acting Principal and works only on the principal's organisation.
 */

const iso = (d: Date) => d.toISOString()

export function userCount(db: Db): Promise<number> {
  return people.countUsers(db)
}

export type NewUser = { organisationId: number; email: string; name: string; password: string; role: Role }

export async function createUser(db: Db, u: NewUser, actor: Principal | null, now = new Date()): Promise<number> {
  const problem = passwordProblem(u.password)
  if (problem) throw new AccessError(`Password ${problem}.`, 'password')
  const email = normaliseEmail(u.email)
  if (!isEmailAddress(email)) throw new AccessError('Enter a valid email address.', 'email')
  if (!u.name.trim()) throw new AccessError('Enter a name.', 'name')
  const exists = await people.findIdByEmail(db, email)
  if (exists) throw new AccessError('A person with this email address already has an account.', 'email', 409)
  const hash = await hashPassword(u.password)
  return inTransaction(db, async (trx) => {
    const id = await people.insertUser(trx, {
      organisation_id: u.organisationId,
      email,
      name: u.name.trim(),
      password_hash: hash,
      role: u.role,
      disabled_at: null,
      created_at: iso(now),
    })
    await audit.record(
      trx,
      actor,
      [
        {
          organisationId: u.organisationId,
          action: 'create',
          entity: 'user',
          entityId: id,
          newValue: { email, name: u.name.trim(), role: u.role },
        },
      ],
      now,
    )
    return id
  })
}

export async function changePassword(
  db: Db,
  p: Principal,
  current: string,
  next: string,
  now = new Date(),
): Promise<void> {
  if (p.userId === null) throw new Forbidden()
  const user = await people.getById(db, p.userId)
  if (!(await verifyPassword(current, user.password_hash)))
    throw new AccessError('The current password is not right.', 'current')
  const problem = passwordProblem(next)
  if (problem) throw new AccessError(`New password ${problem}.`, 'password')
  const hash = await hashPassword(next)
  await inTransaction(db, async (trx) => {
    await people.setPasswordHash(trx, user.id, hash)
    // A changed password ends every session, including ones an attacker may hold.
    await sessions.revokeAllOf(trx, user.id, iso(now))
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

export function listPeople(db: Db, p: Principal) {
  return people.listInOrganisation(db, p.organisationId)
}

export async function setRole(db: Db, p: Principal, userId: number, role: Role, now = new Date()): Promise<void> {
  requireRole(p, 'admin')
  await inTransaction(db, async (trx) => {
    const u = await people.findRoleInOrganisation(trx, userId, p.organisationId)
    if (!u) throw new AccessError('No such person in your organisation.', 'user', 404)
    if (u.id === p.userId && role !== 'admin')
      throw new AccessError('You cannot remove your own administrator role.', 'role')
    await people.setRole(trx, u.id, role)
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

export async function disableUser(db: Db, p: Principal, userId: number, now = new Date()): Promise<void> {
  requireRole(p, 'admin')
  if (userId === p.userId) throw new AccessError('You cannot disable your own account.', 'user')
  await inTransaction(db, async (trx) => {
    if ((await people.disableInOrganisation(trx, userId, p.organisationId, iso(now))) === 0)
      throw new AccessError('No such active person in your organisation.', 'user', 404)
    await sessions.revokeAllOf(trx, userId, iso(now))
    await audit.record(
      trx,
      p,
      [{ organisationId: p.organisationId, action: 'disable', entity: 'user', entityId: userId }],
      now,
    )
  })
}
