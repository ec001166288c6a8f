import { type Page, viewModel } from './page.ts'

/** views/pages/access/invitations.eta */
export type InvitationsPage = Page & {
  items: {
    id: number
    email: string
    kind: string
    role: string | null
    organisation_name: string | null
    created_at: string
    expires_at: string
    used_at: string | null
    revoked_at: string | null
  }[]
  /** The invitation just made: its link, and whether it was mailed (null: no mail server, the inviter sends it). */
  created: { link: string; email: string; mailed: 'sent' | { failed: string } | null } | null
  error: string | null
  roles: readonly string[]
}
export const invitationsPage = viewModel<InvitationsPage>()

/** views/pages/access/invite.eta: the page an invitation link opens. */
export type InvitePage = Page & {
  state: string
  /** Why the link cannot be used (then there is no invitation to show). */
  message: string | null
  invitation?: { kind: string; email: string; inviter_name: string; organisation_name: string | null } | null
  token: string
  error: string | null
  minLength: number
}
export const invitePage = viewModel<InvitePage>()

/** views/pages/access/people.eta */
export type PeoplePage = Page & {
  people: { id: number; name: string; email: string; role: string; disabled_at: string | null }[]
  roles: readonly string[]
}
export const peoplePage = viewModel<PeoplePage>()

/** views/pages/access/tokens.eta */
export type TokensPage = Page & {
  tokens: {
    id: number
    name: string
    prefix: string
    role: string
    created_at: string
    last_used_at: string | null
    revoked_at: string | null
  }[]
  /** The token just made, shown once. */
  created: { token: string } | null
}
export const tokensPage = viewModel<TokensPage>()

/** views/pages/access/audit.eta: an organisation's audit log, or one assessment's. */
export type AuditPage = Page & {
  entries: {
    created_at: string
    user_name: string | null
    token_name: string | null
    action: string
    entity: string
    entity_id: string | number | null
    assessment_id: number | null
    old_value: string | null
    new_value: string | null
  }[]
  assessmentId: number | null
}
export const auditPage = viewModel<AuditPage>()

/** views/pages/access/suppliers.eta */
export type SuppliersPage = Page & {
  suppliers: {
    id: number
    name: string
    kind: string
    country: string | null
    internal_code: string | null
    tier: number | null
  }[]
}
export const suppliersPage = viewModel<SuppliersPage>()
