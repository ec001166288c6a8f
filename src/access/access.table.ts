import type { Generated, Selectable } from 'kysely'

export const ORGANISATION_KINDS = ['brand', 'supplier', 'recruiter'] as const
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number]
export const ROLES = ['admin', 'analyst', 'respondent', 'viewer'] as const
export type Role = (typeof ROLES)[number]

export interface OrganisationTable {
  id: Generated<number>
  kind: OrganisationKind
  name: string
  country: string | null
  sector: string | null
  address: string | null
  workers_total: number | null
  created_at: string
}

export interface BrandSupplierTable {
  brand_id: number
  supplier_id: number
  internal_code: string | null
  tier: number | null
  created_at: string
}

export interface UserAccountTable {
  id: Generated<number>
  organisation_id: number
  email: string
  name: string
  password_hash: string
  role: Role
  disabled_at: string | null
  created_at: string
}

export interface SessionTable {
  id_hash: string
  user_id: number
  created_at: string
  last_seen_at: string
  expires_at: string
  revoked_at: string | null
}

export interface SignInThrottleTable {
  account_hash: string
  failures: number
  last_attempt_at: string
}

export interface ApiTokenTable {
  id: Generated<number>
  organisation_id: number
  name: string
  token_hash: string
  prefix: string
  role: Exclude<Role, 'admin'>
  created_by: number
  created_at: string
  last_used_at: string | null
  revoked_at: string | null
}

export interface InvitationTable {
  id: Generated<number>
  token_hash: string
  inviter_user_id: number
  inviter_organisation_id: number
  email: string
  kind: 'supplier' | 'recruiter' | 'member'
  organisation_name: string | null
  organisation_id: number | null
  role: Role
  created_at: string
  expires_at: string
  used_at: string | null
  revoked_at: string | null
}

export interface AuditLogTable {
  id: Generated<number>
  organisation_id: number
  assessment_id: number | null
  actor_user_id: number | null
  actor_token_id: number | null
  action: string
  entity: string
  entity_id: string | null
  old_value: string | null
  new_value: string | null
  created_at: string
}

/**
 * A person who runs the installation itself (migrations/2026_12_08_0200_rescore_changes_and_operators.ts): may
 * re-score every tenant's scores and read what changed. Granted only from the command line (`fairhire operators`).
 */
export interface PlatformOperatorTable {
  user_id: number
  granted_at: string
}

export type OrganisationRow = Selectable<OrganisationTable>
export type UserRow = Selectable<UserAccountTable>
export type InvitationRow = Selectable<InvitationTable>
export type ApiTokenRow = Selectable<ApiTokenTable>
