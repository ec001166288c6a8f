import { describe, expect, it } from 'vitest'
import { migrateDown, migrateToLatest } from '../../src/db/migrator.ts'
import type { ScoreResult } from '../../src/scoring/result.schema.ts'
import { storeSnapshot } from '../../src/scoring/score.service.ts'
import { summarise, summaryColumns } from '../../src/scoring/score-summary.ts'
import { Client } from '../helpers/client.ts'
import { answerAll, answerAndSubmit } from '../helpers/seed.ts'
import { PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'
import { unzipParts } from '../helpers/zip.ts'

/** The row of one supplier on a portfolio page: its cells' text, tags removed. */
function rowOf(html: string, supplierId: number): string[] | undefined {
  const row = new RegExp(`<tr>\\s*<th scope="row"><a href="/suppliers/${supplierId}/overview">[\\s\\S]*?</tr>`).exec(
    html,
  )
  if (!row) return undefined
  return [...row[0].matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((m) =>
    (m[1] ?? '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim(),
  )
}

async function summaries(t: TestApp) {
  return t.app.db.selectFrom('score_summary').selectAll().orderBy('snapshot_id').execute()
}

describe('portfolio summaries and who sees which', () => {
  let t: TestApp
  let w: World
  worldPerTest((app, world) => {
    t = app
    w = world
  })

  it('a summary is stored with every snapshot, at submit, and says what the stored result says', async () => {
    // The world's answers are partial: the rest through the service, then submitted through the API.
    await answerAll(t.app, w.principals.respA, w.assessments.requested, 11)
    const resp = new Client(t.app)
    await resp.login(w.users.respA, PASSWORD)
    const submitted = await resp.api('POST', `/api/v1/assessments/${w.assessments.requested}/submit`)
    expect(submitted.statusCode, submitted.body).toBe(200)
    const snaps = await t.app.db.selectFrom('score_snapshot').selectAll().orderBy('id').execute()
    const rows = await summaries(t)
    expect(rows).toHaveLength(snaps.length)
    expect(snaps.length).toBeGreaterThan(0)
    for (const [i, snap] of snaps.entries()) {
      const result = JSON.parse(snap.result) as ScoreResult
      expect(rows[i]).toEqual({
        snapshot_id: snap.id,
        assessment_id: snap.assessment_id,
        reviewer_organisation_id: snap.reviewer_organisation_id,
        ...summaryColumns(summarise(result)),
      })
      // And by hand, not through the code under test.
      expect(rows[i]?.rating).toBe(result.rating)
      expect(rows[i]?.control_overall).toBe(result.control.overall)
      expect(rows[i]?.inherent_score).toBe(result.inherent.score)
      expect(rows[i]?.active_red_flags).toBe(result.redFlags.filter((f) => f.status !== 'cleared').length)
      expect(rows[i]?.gap_count).toBe(result.gaps.length)
      expect(rows[i]?.confidence).toBe(result.confidence.level)
      expect(JSON.parse(rows[i]?.sections ?? '')).toEqual(
        result.control.sections.map((s) => ({ id: s.id, score: s.score })),
      )
    }
    // Immutable like the snapshot.
    await expect(t.app.db.updateTable('score_summary').set({ rating: 'low' }).execute()).rejects.toThrow(/immutable/)
    // The page shows those numbers.
    const analyst = new Client(t.app)
    await analyst.login(w.users.analystA, PASSWORD)
    const cells = rowOf((await analyst.get('/portfolio')).body, w.supplierA)
    const last = rows.at(-1)
    expect(cells?.[3]).toBe(last?.rating)
    expect(cells?.[6]).toBe(String(last?.active_red_flags))
    expect(cells?.[7]).toBe(last?.confidence)
  })

  it('the migration fills in the summaries and grant pointers of snapshots stored before it', async () => {
    await answerAndSubmit(t.app, w.principals.respA, w.assessments.requested, 12)
    const before = await summaries(t)
    const grants = () =>
      t.app.db
        .selectFrom('assessment_access')
        .select(['assessment_id', 'organisation_id', 'supplier_id', 'latest_snapshot_id'])
        .orderBy('assessment_id')
        .orderBy('organisation_id')
        .execute()
    const pointers = await grants()
    expect(before.length).toBeGreaterThan(0)
    expect(pointers.find((g) => g.assessment_id === w.assessments.requested)?.latest_snapshot_id).toBe(
      before.at(-1)?.snapshot_id,
    )
    // Down past the later migrations to the one that made the summaries, then up again.
    const undone: string[] = []
    while (!undone.includes('2026_12_07_1200_portfolio_summary')) undone.push(...(await migrateDown(t.app.db)))
    expect(undone.at(-1)).toBe('2026_12_07_1200_portfolio_summary')
    expect(await migrateToLatest(t.app.db)).toEqual([...undone].reverse())
    expect(await summaries(t)).toEqual(before)
    expect(await grants()).toEqual(pointers)
  })

  it("a brand's page shows its own review or the self-assessed score, never another brand's, and nothing revoked", async () => {
    const id = w.assessments.requested
    await answerAndSubmit(t.app, w.principals.respA, id, 13)
    // Supplier A is on brand B's list too, and shares the requested assessment with it.
    await t.app.db
      .insertInto('brand_supplier')
      .values({
        brand_id: w.brandB,
        supplier_id: w.supplierA,
        internal_code: 'B-2',
        tier: 2,
        created_at: new Date().toISOString(),
      })
      .execute()
    const resp = new Client(t.app)
    await resp.login(w.users.respA, PASSWORD)
    expect((await resp.api('PUT', `/api/v1/assessments/${id}/shares/${w.brandB}`)).statusCode).toBe(204)

    // Brand B reviews for itself. Its review's score is made unmistakable: rated low, control 99.9.
    const self = JSON.parse(
      (
        await t.app.db
          .selectFrom('score_snapshot')
          .select('result')
          .where('assessment_id', '=', id)
          .executeTakeFirstOrThrow()
      ).result,
    ) as ScoreResult
    expect(self.rating).not.toBe('low')
    const q = await t.app.db
      .selectFrom('assessment')
      .select('questionnaire_version_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    const rubric = await t.app.db.selectFrom('rubric_current').select('version_id').executeTakeFirstOrThrow()
    await storeSnapshot(
      t.app.db,
      id,
      q.questionnaire_version_id,
      rubric.version_id,
      'reviewed',
      { ...self, rating: 'low', control: { ...self.control, overall: 99.9 } },
      new Date(),
      w.brandB,
    )

    const a = new Client(t.app)
    await a.login(w.users.analystA, PASSWORD)
    const b = new Client(t.app)
    await b.login(w.users.analystB, PASSWORD)
    const pageA = (await a.get('/portfolio')).body
    const pageB = (await b.get('/portfolio')).body
    // Brand A: its one supplier, the self-assessed score; brand B's review nowhere.
    expect(pageA).toContain('1 of 1 suppliers and recruiters')
    expect(rowOf(pageA, w.supplierB)).toBeUndefined()
    const rowA = rowOf(pageA, w.supplierA)
    expect(rowA?.[3]).toBe(self.rating)
    expect(pageA).not.toContain('99.9')
    expect((await a.get('/portfolio?rating=low')).body).toContain('No supplier matches these filters.')
    // Brand B: its own supplier (nothing shared: not requested) and supplier A with its own review.
    expect(pageB).toContain('2 of 2 suppliers and recruiters')
    expect(rowOf(pageB, w.supplierA)?.[3]).toBe('low')
    expect(rowOf(pageB, w.supplierA)?.[4]).toBe('99.9')
    expect(rowOf(pageB, w.supplierB)?.[2]).toBe('not requested')
    // Supplier A's private self-check (a later assessment) is nobody's latest.
    expect(pageA).toContain(`href="/assessments/${id}"`)
    expect(pageA).not.toContain(`href="/assessments/${w.assessments.selfA}"`)
    expect(pageB).not.toContain(`href="/assessments/${w.assessments.selfA}"`)
    // The filters see the same: brand B's low rating is brand B's only.
    expect(rowOf((await b.get('/portfolio?rating=low')).body, w.supplierA)).toBeDefined()
    expect(rowOf((await a.get(`/portfolio?rating=${self.rating}`)).body, w.supplierA)).toBeDefined()

    // A new self-assessed score reaches both brands; brand B's review stays brand B's.
    await storeSnapshot(
      t.app.db,
      id,
      q.questionnaire_version_id,
      rubric.version_id,
      'rescored',
      { ...self, rating: 'medium', control: { ...self.control, overall: 55.5 } },
      new Date(),
      null,
    )
    expect(rowOf((await a.get('/portfolio')).body, w.supplierA)?.[4]).toBe('55.5')
    expect(rowOf((await b.get('/portfolio')).body, w.supplierA)?.[4]).toBe('55.5')

    // Revoked: brand B no longer sees the assessment at all; brand A still does.
    expect((await resp.api('DELETE', `/api/v1/assessments/${id}/shares/${w.brandB}`)).statusCode).toBe(204)
    const revoked = (await b.get('/portfolio')).body
    expect(rowOf(revoked, w.supplierA)?.[2]).toBe('not requested')
    expect(revoked).not.toContain(`href="/assessments/${id}`)
    expect(rowOf((await b.get('/portfolio?status=none')).body, w.supplierA)).toBeDefined()
    expect(rowOf((await a.get('/portfolio')).body, w.supplierA)?.[3]).toBe('medium')

    // Shared again: brand B's own latest is the self-assessed score stored while it could not see it.
    expect((await resp.api('PUT', `/api/v1/assessments/${id}/shares/${w.brandB}`)).statusCode).toBe(204)
    expect(rowOf((await b.get('/portfolio')).body, w.supplierA)?.[4]).toBe('55.5')

    // The download follows the same rule.
    const zipB = await b.get('/portfolio.zip')
    expect(zipB.statusCode).toBe(200)
    const suppliersB =
      unzipParts(zipB.rawPayload)
        .find((p) => p.name === 'suppliers.csv')
        ?.data.toString('utf8') ?? ''
    expect(suppliersB).toContain('Supplier A')
    expect(suppliersB).toContain('Supplier B')
    const zipA = await a.get('/portfolio.zip')
    const suppliersA =
      unzipParts(zipA.rawPayload)
        .find((p) => p.name === 'suppliers.csv')
        ?.data.toString('utf8') ?? ''
    expect(suppliersA).toContain('Supplier A')
    expect(suppliersA).not.toContain('Supplier B')
  })
})
