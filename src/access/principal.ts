import type { OrganisationKind, Role } from './access.table.ts'

/** Who is making a request: a signed-in person or an organisation's API token. */
export type Principal = {
  kind: 'user' | 'token'
  userId: number | null
  tokenId: number | null
  organisationId: number
  organisationKind: OrganisationKind
  organisationName: string
  role: Role
  name: string
  email: string | null
}

export class Forbidden extends Error {
  constructor(message = 'You are not allowed to do this.') {
    super(message)
    this.name = 'Forbidden'
  }
}

export function can(p: Principal, ...roles: Role[]): boolean {
  return roles.includes(p.role)
}

export function requireRole(p: Principal, ...roles: Role[]): void {
  if (!can(p, ...roles)) throw new Forbidden(`This needs one of these roles: ${roles.join(', ')}.`)
}

export function requireOrgKind(p: Principal, ...kinds: OrganisationKind[]): void {
  if (!kinds.includes(p.organisationKind)) throw new Forbidden(`Only a ${kinds.join(' or ')} organisation can do this.`)
}
