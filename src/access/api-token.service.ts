import type { Db } from '../db/connection.ts'
import { inTransaction } from '../db/transaction.ts'
import { AccessError } from './access-error.ts'
import * as tokens from './api-token.repository.ts'
import * as audit from './audit.repository.ts'
import { Forbidden, type Principal, requireRole } from './principal.ts'
import { hashToken, newToken } from './tokens.ts'

/** An organisation's API tokens: created and revoked by its administrators; only a token's hash is kept. */

const iso = (d: Date) => d.toISOString()

export async function createApiToken(
  db: Db,
  p: Principal,
  name: string,
  role: 'analyst' | 'respondent' | 'viewer',
  now = new Date(),
): Promise<{ id: number; token: string }> {
  requireRole(p, 'admin')
  if (p.userId === null) throw new Forbidden('Tokens are created by a signed-in administrator.')
  if (!name.trim()) throw new AccessError('Give the token a name, such as the system that will use it.', 'name')
  const token = newToken('fh_')
  return inTransaction(db, async (trx) => {
    const id = await tokens.insertToken(trx, {
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
    await audit.record(
      trx,
      p,
      [
        {
          organisationId: p.organisationId,
          action: 'create',
          entity: 'api_token',
          entityId: id,
          newValue: { name: name.trim(), role },
        },
      ],
      now,
    )
    return { id, token }
  })
}

export async function revokeApiToken(db: Db, p: Principal, id: number, now = new Date()): Promise<void> {
  requireRole(p, 'admin')
  await inTransaction(db, async (trx) => {
    if ((await tokens.revokeInOrganisation(trx, id, p.organisationId, iso(now))) === 0)
      throw new AccessError('No such active token in your organisation.', 'token', 404)
    await audit.record(
      trx,
      p,
      [{ organisationId: p.organisationId, action: 'revoke', entity: 'api_token', entityId: id }],
      now,
    )
  })
}

export function listApiTokens(db: Db, p: Principal) {
  return tokens.listInOrganisation(db, p.organisationId)
}

/** Who an API token belongs to. This runs on every API request. */
export function tokenPrincipal(db: Db, token: string, now = new Date()): Promise<Principal | null> {
  const tokenHash = hashToken(token)
  return tokens.withTokenStatements(db, tokenHash, (s): Principal | null => {
    const row = s.findWithOrganisation(tokenHash)
    if (!row || row.revoked_at) return null
    // Once a minute is enough to say when a token was last used.
    if (!row.last_used_at || now.getTime() - new Date(row.last_used_at).getTime() > 60_000) s.touch(row.id, iso(now))
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
