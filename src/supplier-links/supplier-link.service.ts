import { AccessError } from '../access/access-error.ts'
import * as audit from '../access/audit.repository.ts'
import { type Principal, requireOrgKind, requireRole } from '../access/principal.ts'
import type { Db } from '../db/connection.ts'
import { inTransaction } from '../db/transaction.ts'
import * as links from './supplier-link.repository.ts'

/**
 * A brand's list of suppliers and recruiters. An organisation joins the list by accepting the brand's
 * invitation (access/invitation.service.ts); the brand keeps its own code and tier for each.
 */

export function listSuppliers(db: Db, p: Principal) {
  return links.listForBrand(db, p.organisationId)
}

export async function updateSupplierLink(
  db: Db,
  p: Principal,
  supplierId: number,
  fields: { internalCode: string | null; tier: number | null },
  now = new Date(),
) {
  requireOrgKind(p, 'brand')
  requireRole(p, 'admin', 'analyst')
  await inTransaction(db, async (trx) => {
    const old = await links.find(trx, p.organisationId, supplierId)
    if (!old) throw new AccessError('This organisation is not on your supplier list.', 'supplier', 404)
    await links.update(trx, p.organisationId, supplierId, fields)
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
