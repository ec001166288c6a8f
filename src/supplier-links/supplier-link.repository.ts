import type { Insertable } from 'kysely'
import type { BrandSupplierTable } from '../access/access.table.ts'
import { batchesOf } from '../db/bulk.ts'
import type { Db } from '../db/connection.ts'
import { byName } from '../db/engine.ts'

/** Queries on `brand_supplier`: which suppliers and recruiters are on a brand's list, with the brand's code and tier. */

export function listForBrand(db: Db, brandId: number) {
  return db
    .selectFrom('brand_supplier as bs')
    .innerJoin('organisation as o', 'o.id', 'bs.supplier_id')
    .select(['o.id', 'o.name', 'o.kind', 'o.country', 'o.sector', 'o.workers_total', 'bs.internal_code', 'bs.tier'])
    .where('bs.brand_id', '=', brandId)
    .orderBy(byName(db, 'o.name'))
    .execute()
}

export function find(db: Db, brandId: number, supplierId: number) {
  return db
    .selectFrom('brand_supplier')
    .selectAll()
    .where('brand_id', '=', brandId)
    .where('supplier_id', '=', supplierId)
    .executeTakeFirst()
}

/** Puts a supplier on a brand's list, without code or tier. `ifMissing`: a link already there is kept as it is. */
export async function insertLink(
  db: Db,
  brandId: number,
  supplierId: number,
  at: string,
  opts: { ifMissing: boolean },
): Promise<void> {
  const insert = db.insertInto('brand_supplier').values({
    brand_id: brandId,
    supplier_id: supplierId,
    internal_code: null,
    tier: null,
    created_at: at,
  })
  if (opts.ifMissing) await insert.onConflict((oc) => oc.columns(['brand_id', 'supplier_id']).doNothing()).execute()
  else await insert.execute()
}

export async function update(
  db: Db,
  brandId: number,
  supplierId: number,
  fields: { internalCode: string | null; tier: number | null },
): Promise<void> {
  await db
    .updateTable('brand_supplier')
    .set({ internal_code: fields.internalCode, tier: fields.tier })
    .where('brand_id', '=', brandId)
    .where('supplier_id', '=', supplierId)
    .execute()
}

/** Many links at once (bulk loading). */
export async function insertLinks(db: Db, rows: Insertable<BrandSupplierTable>[]): Promise<void> {
  for (const batch of batchesOf(rows)) await db.insertInto('brand_supplier').values(batch).execute()
}
