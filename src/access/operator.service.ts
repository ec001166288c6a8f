import type { Conn } from '../db/database.ts'
import { inTransaction } from '../db/transaction.ts'
import { AccessError } from './access-error.ts'
import * as audit from './audit.repository.ts'
import { normaliseEmail } from './email.ts'
import * as repo from './operator.repository.ts'
import * as people from './person.repository.ts'
import { Forbidden, type Principal } from './principal.ts'

/**
 * Platform operators: the people who run the installation itself. Some work reaches across every tenant —
 * re-scoring every stored score under a new rubric, and the workbook of what that changed, which names every
 * organisation — so it cannot belong to any organisation's role: a brand's administrator administers that
 * brand only. An operator is a person with an account (they sign in like anyone, in whatever organisation
 * they belong to) whom whoever runs the server has named from the command line (`fairhire operators grant`).
 * Nothing in the app grants it: not an invitation, not an email address in a setting (an administrator could
 * invite that address into their own organisation and accept the link themselves when no mail is configured).
 *
 * API tokens are never operators: a token belongs to an organisation, and operator work is done in person.
 */

const NOT_OPERATOR = 'Only a platform operator can do this. Operators are named with "fairhire operators grant".'

/** Whether the caller is a platform operator; false for API tokens. Read on every operator request (no cache). */
export async function isOperator(db: Conn, p: Principal | null): Promise<boolean> {
  if (p?.kind !== 'user' || p.userId === null) return false
  return repo.isOperator(db, p.userId)
}

/** Refuses (403) anyone but a platform operator. */
export async function requireOperator(db: Conn, p: Principal): Promise<void> {
  if (!(await isOperator(db, p))) throw new Forbidden(NOT_OPERATOR)
}

async function personByEmail(db: Conn, email: string) {
  const row = await people.findByEmail(db, normaliseEmail(email))
  if (!row) throw new AccessError(`there is no account with the email address ${email}`, 'email', 404)
  return row
}

/**
 * Grants or revokes the operator grant (the command line only). Written to the audit log of the person's own
 * organisation, so that its administrators see that one of their people can act on every tenant.
 */
export async function setOperator(
  db: Conn,
  email: string,
  operator: boolean,
  now = new Date(),
): Promise<{ userId: number; email: string; changed: boolean }> {
  return inTransaction(db, async (trx) => {
    const person = await personByEmail(trx, email)
    if (operator && person.disabled_at !== null)
      throw new AccessError(`the account ${person.email} is disabled`, 'email', 409)
    const changed = operator ? await repo.grant(trx, person.id, now.toISOString()) : await repo.revoke(trx, person.id)
    if (changed)
      await audit.record(
        trx,
        null,
        [
          {
            organisationId: person.organisation_id,
            action: operator ? 'grant_operator' : 'revoke_operator',
            entity: 'user_account',
            entityId: person.id,
            newValue: { email: person.email, operator },
          },
        ],
        now,
      )
    return { userId: person.id, email: person.email, changed }
  })
}

export function listOperators(db: Conn) {
  return repo.listAll(db)
}
