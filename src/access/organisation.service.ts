import type { Db } from '../db/connection.ts'
import type { OrganisationKind } from './access.table.ts'
import { AccessError } from './access-error.ts'
import * as organisations from './organisation.repository.ts'
import { passwordProblem } from './password.ts'
import { createUser } from './person.service.ts'

/** Organisations, and setting up the first one with its administrator. */

export type NewOrganisation = {
  kind: OrganisationKind
  name: string
  country?: string | null
  sector?: string | null
  address?: string | null
  workersTotal?: number | null
}

export async function createOrganisation(db: Db, o: NewOrganisation, now = new Date()): Promise<number> {
  return organisations.insertOrganisation(db, {
    kind: o.kind,
    name: o.name.trim(),
    country: o.country ?? null,
    sector: o.sector ?? null,
    address: o.address ?? null,
    workers_total: o.workersTotal ?? null,
    created_at: now.toISOString(),
  })
}

/** The first administrator: an organisation and its admin in one go (setup page or CLI). */
export async function createAdminWithOrganisation(
  db: Db,
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
