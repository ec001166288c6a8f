import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readApart } from '../../src/db/connection.ts'
import { portfolioStream } from '../../src/portfolio/portfolio.service.ts'
import { testApp } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { buildWorld, PASSWORD } from '../helpers/world.ts'

/**
 * A brand's portfolio export streams for as long as it has suppliers (seconds for thousands). Meanwhile
 * everyone else must be served: the export reads on its own connection, from one snapshot.
 */
describe('a long export beside other work', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let w: Awaited<ReturnType<typeof buildWorld>>
  beforeEach(async () => {
    t = await testApp()
    w = await buildWorld(t.app)
  })
  afterEach(async () => {
    await t.close()
  })

  it('does not hold up saves and pages while it is half-read, and reads one snapshot', async () => {
    const stream = readApart(t.env.config.databasePath, (db) => portfolioStream(db, w.principals.analystA))
    const first = await stream.next()
    expect(first.done).toBe(false)

    const c = new Client(t.app)
    await c.login(w.users.respA, PASSWORD)
    const stalled = (what: string) =>
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} waited for the export`)), 10_000))
    const save = await Promise.race([
      c.api('PUT', `/api/v1/assessments/${w.assessments.requested}/answers`, { answers: { 'A0.1b': 'Mae Sot' } }),
      stalled('a save'),
    ])
    expect(save.statusCode, save.body).toBe(200)
    const page = await Promise.race([c.get(`/assessments/${w.assessments.requested}/sections/A0`), stalled('a page')])
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Mae Sot')

    // A supplier linked after the export began is not in it: the export is one snapshot.
    const late = await t.app.db
      .insertInto('organisation')
      .values({ kind: 'supplier', name: 'Late Supplier', created_at: new Date().toISOString() })
      .returning('id')
      .executeTakeFirstOrThrow()
    await t.app.db
      .insertInto('brand_supplier')
      .values({
        brand_id: w.brandA,
        supplier_id: late.id,
        internal_code: null,
        tier: 1,
        created_at: new Date().toISOString(),
      })
      .execute()
    const names = [first.value?.supplier.name]
    for await (const e of stream) names.push(e.supplier.name)
    expect(names.length).toBeGreaterThan(0)
    expect(names).not.toContain('Late Supplier')
  })
})
