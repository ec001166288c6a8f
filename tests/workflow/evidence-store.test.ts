import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { addEvidence, deleteEvidence } from '../../src/assessment/evidence.service.ts'
import { evidenceKey } from '../../src/assessment/evidence-blobs.ts'
import { BlobKeyError, type BlobStore } from '../../src/blob/blob-store.ts'
import { FsBlobStore } from '../../src/blob/fs-blob-store.ts'
import { S3BlobStore } from '../../src/blob/s3-blob-store.ts'
import { testApp } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { onPostgres } from '../helpers/engine.ts'
import { spawnTs } from '../helpers/process.ts'
import { startS3, type TestS3 } from '../helpers/s3.ts'
import { buildWorld, PASSWORD, type World } from '../helpers/world.ts'

/**
 * Evidence files in the blob store, on both stores: a folder and an S3-compatible bucket (a real S3 server,
 * tests/helpers/s3.ts). Uploads, downloads and deletions go through HTTP as a browser sends them; what is in
 * the store is checked from outside the app (the folder itself, or plain HTTP to the S3 server).
 */

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const pdf = (text: string) => Buffer.from(`%PDF-1.4 ${text}\n`)

/** The section form as a browser posts it: the CSRF token and one file for a question. */
function sectionForm(csrf: string, question: string, name: string, data: Buffer) {
  const boundary = '----fh-evidence-boundary'
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file[${question}]"; filename="${name}"\r\nContent-Type: application/pdf\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

let s3: TestS3
beforeAll(async () => {
  s3 = await startS3()
})
afterAll(async () => {
  await s3?.close()
})

describe.each(['fs', 's3'] as const)('evidence files in the %s store', (kind) => {
  let t: Awaited<ReturnType<typeof testApp>>
  let w: World
  const extraApps: FastifyInstance[] = []
  const storeEnv = () => (kind === 's3' ? s3.env : {})

  beforeEach(async () => {
    t = await testApp(storeEnv())
    w = await buildWorld(t.app)
  })
  afterEach(async () => {
    for (const a of extraApps.splice(0)) await a.close()
    await t?.close()
  })

  /** Whether the store holds `key`, asked of the folder or the S3 server directly, not through the app. */
  async function stored(key: string): Promise<boolean> {
    if (kind === 'fs') return existsSync(join(t.env.config.evidenceDir, key))
    const res = await fetch(`${s3.endpoint}/${s3.bucket}/${key}`, { method: 'HEAD' })
    if (res.status !== 200 && res.status !== 404) throw new Error(`HEAD ${key}: ${res.status}`)
    return res.status === 200
  }

  async function signedIn(email: string, app = t.app) {
    const c = new Client(app)
    await c.login(email, PASSWORD)
    return c
  }

  /** Uploads through the section form; the new evidence row's id. */
  async function upload(c: Client, assessment: number, name: string, data: Buffer): Promise<number> {
    await c.get(`/assessments/${assessment}/sections/A6`)
    const res = await c.request({
      method: 'POST',
      url: `/assessments/${assessment}/sections/A6`,
      ...sectionForm(c.csrf, 'A6.1', name, data),
    })
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303)
    const row = await t.app.db
      .selectFrom('evidence')
      .select('id')
      .where('assessment_id', '=', assessment)
      .where('sha256', '=', sha(data))
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    return row.id
  }

  async function remove(c: Client, assessment: number, evidenceId: number) {
    await c.get(`/assessments/${assessment}/sections/A6`)
    return c.post(`/assessments/${assessment}/evidence/${evidenceId}/delete`, {})
  }

  it('uploads, downloads and deletes through HTTP; the blob is keyed by organisation and gone after the delete', async () => {
    const supplier = await signedIn(w.users.respA)
    const id = w.assessments.requested
    const data = pdf('signed recruitment fee policy')
    const evidenceId = await upload(supplier, id, 'fee policy.pdf', data)
    const key = `org/${w.supplierA}/${sha(data)}`
    expect(await stored(key)).toBe(true)

    const got = await supplier.get(`/assessments/${id}/evidence/${evidenceId}`)
    expect(got.statusCode).toBe(200)
    expect(got.rawPayload.equals(data)).toBe(true)
    expect(got.headers['content-length']).toBe(String(data.length))
    expect(got.headers['content-disposition']).toContain('attachment; filename="fee policy.pdf"')
    // The requesting brand reads it too, through the app.
    const brand = await signedIn(w.users.analystA)
    expect((await brand.get(`/assessments/${id}/evidence/${evidenceId}`)).rawPayload.equals(data)).toBe(true)

    // The section page offers to remove it; the brand cannot.
    const page = await supplier.get(`/assessments/${id}/sections/A6`)
    expect(page.body).toContain(`action="/assessments/${id}/evidence/${evidenceId}/delete"`)
    expect(page.body).toContain('Remove fee policy.pdf')
    const refused = await remove(brand, id, evidenceId)
    expect(refused.statusCode).toBe(403)
    expect(await stored(key)).toBe(true)

    const removed = await remove(supplier, id, evidenceId)
    expect(removed.statusCode).toBe(303)
    expect(removed.headers.location).toBe(`/assessments/${id}/sections/A6?removed=1`)
    expect((await supplier.get(String(removed.headers.location))).body).toContain('The evidence file was removed.')
    expect(await stored(key)).toBe(false)
    expect((await supplier.get(`/assessments/${id}/evidence/${evidenceId}`)).statusCode).toBe(404)
    expect((await remove(supplier, id, evidenceId)).statusCode).toBe(404)

    // The row stays, marked deleted, with the audit entry; no release is left to do.
    const row = await t.app.db
      .selectFrom('evidence')
      .select(['deleted_at', 'file_name'])
      .where('id', '=', evidenceId)
      .executeTakeFirstOrThrow()
    expect(row.deleted_at).not.toBeNull()
    const audit = await t.app.db
      .selectFrom('audit_log')
      .select(['action', 'old_value'])
      .where('entity', '=', 'evidence')
      .where('entity_id', '=', String(evidenceId))
      .orderBy('id')
      .execute()
    expect(audit.map((a) => a.action)).toEqual(['add_evidence', 'delete_evidence'])
    expect(JSON.parse(audit[1]?.old_value as string)).toEqual({
      question: 'A6.1',
      file: 'fee policy.pdf',
      sha256: sha(data),
    })
    expect(await t.app.db.selectFrom('evidence_blob_release').selectAll().execute()).toEqual([])
  })

  it('keeps a blob two evidence rows share until the last one is deleted', async () => {
    const supplier = await signedIn(w.users.respA)
    const data = pdf('passport register, one copy attached twice')
    const key = `org/${w.supplierA}/${sha(data)}`
    const first = await upload(supplier, w.assessments.requested, 'register.pdf', data)
    const second = await upload(supplier, w.assessments.selfA, 'register again.pdf', data)
    expect(await stored(key)).toBe(true)

    expect((await remove(supplier, w.assessments.requested, first)).statusCode).toBe(303)
    expect(await stored(key)).toBe(true)
    const still = await supplier.get(`/assessments/${w.assessments.selfA}/evidence/${second}`)
    expect(still.statusCode).toBe(200)
    expect(still.rawPayload.equals(data)).toBe(true)

    expect((await remove(supplier, w.assessments.selfA, second)).statusCode).toBe(303)
    expect(await stored(key)).toBe(false)
  })

  it('another organisation cannot read or delete it, and its own copy of the same bytes is its own blob', async () => {
    const supplierA = await signedIn(w.users.respA)
    const supplierB = await signedIn(w.users.respB)
    const otherBrand = await signedIn(w.users.adminB)
    const data = pdf('wage slips of the dormitory block')
    const evidenceId = await upload(supplierA, w.assessments.requested, 'wages.pdf', data)
    for (const c of [supplierB, otherBrand]) {
      const res = await c.get(`/assessments/${w.assessments.requested}/evidence/${evidenceId}`)
      expect(res.statusCode).toBe(404)
      expect(res.rawPayload.includes('dormitory')).toBe(false)
      expect((await remove(c, w.assessments.requested, evidenceId)).statusCode).toBe(404)
    }

    // Supplier B attaches the same bytes to its own assessment: a blob under its own prefix.
    const own = await upload(supplierB, w.assessments.selfB, 'wages.pdf', data)
    expect(await stored(`org/${w.supplierB}/${sha(data)}`)).toBe(true)
    // B's row does not open A's evidence: ids are checked against the assessment, not the content.
    expect((await supplierB.get(`/assessments/${w.assessments.selfB}/evidence/${evidenceId}`)).statusCode).toBe(404)
    expect((await remove(supplierB, w.assessments.selfB, own)).statusCode).toBe(303)
    expect(await stored(`org/${w.supplierB}/${sha(data)}`)).toBe(false)
    expect(await stored(`org/${w.supplierA}/${sha(data)}`)).toBe(true)
    expect((await supplierA.get(`/assessments/${w.assessments.requested}/evidence/${evidenceId}`)).statusCode).toBe(200)
  })

  it('is shared by several app processes on the same database and store', async () => {
    const second = await buildApp(t.env.config, { logger: false })
    extraApps.push(second)
    const onFirst = await signedIn(w.users.respA)
    const onSecond = await signedIn(w.users.respA, second)
    const data = pdf('contract in the worker language')
    const evidenceId = await upload(onFirst, w.assessments.requested, 'contract.pdf', data)
    const got = await onSecond.get(`/assessments/${w.assessments.requested}/evidence/${evidenceId}`)
    expect(got.statusCode).toBe(200)
    expect(got.rawPayload.equals(data)).toBe(true)
    expect((await remove(onSecond, w.assessments.requested, evidenceId)).statusCode).toBe(303)
    expect((await onFirst.get(`/assessments/${w.assessments.requested}/evidence/${evidenceId}`)).statusCode).toBe(404)
    expect(await stored(`org/${w.supplierA}/${sha(data)}`)).toBe(false)
  })

  /** `inner` with a hook that runs once, at the first call of `method` matching `when`. */
  function hooked(
    inner: BlobStore,
    method: 'move' | 'put',
    when: 'before' | 'after',
    hook: () => Promise<unknown>,
  ): BlobStore {
    let done = false
    const once = async (which: 'before' | 'after') => {
      if (done || which !== when) return
      done = true
      await hook()
    }
    return {
      kind: inner.kind,
      where: inner.where,
      get: (k) => inner.get(k),
      has: (k) => inner.has(k),
      delete: (k) => inner.delete(k),
      close: () => inner.close(),
      async put(k, d) {
        if (method === 'put') await once('before')
        await inner.put(k, d)
        if (method === 'put') await once('after')
      },
      async move(from, to) {
        if (method === 'move') await once('before')
        const moved = await inner.move(from, to)
        if (method === 'move') await once('after')
        return moved
      },
    }
  }

  /**
   * evidence-blobs.ts's race made to happen: supplier A uploads the same bytes to another assessment while
   * the last row naming them is deleted, at three moments of the release:
   * - the upload done before the release moves the blob aside: the release counts its row and puts it back;
   * - the upload done just after the move: both the upload (blob missing) and the release (a row) restore it;
   * - the whole release run between the upload storing the blob and committing its row: the release sees no
   *   row and deletes the blob, and the upload, finding it gone after its commit, stores it again.
   */
  it.each(['before the move aside', 'after the move aside', 'around the whole release'] as const)(
    'keeps the blob when the same bytes are uploaded %s',
    async (moment) => {
      const data = pdf(`payslip uploaded ${moment}`)
      const key = evidenceKey(w.supplierA, sha(data))
      const file = { name: 'payslip.pdf', data }
      const first = await addEvidence(t.app.db, w.principals.respA, w.assessments.requested, 'A6.1', file, t.app.blobs)
      const errors: unknown[] = []
      const release = (store: BlobStore) =>
        deleteEvidence(t.app.db, w.principals.respA, w.assessments.requested, first, store, (e) => errors.push(e))
      const upload = (store: BlobStore) =>
        addEvidence(t.app.db, w.principals.respA, w.assessments.selfA, 'A6.1', file, store)
      let second = 0
      if (moment === 'around the whole release') {
        second = await upload(hooked(t.app.blobs, 'put', 'after', () => release(t.app.blobs)))
      } else {
        const when = moment === 'before the move aside' ? 'before' : 'after'
        await release(
          hooked(t.app.blobs, 'move', when, async () => {
            second = await upload(t.app.blobs)
          }),
        )
      }
      expect(errors).toEqual([])
      expect(second).toBeGreaterThan(0)
      expect(
        await t.app.db.selectFrom('evidence').select('deleted_at').where('id', '=', first).executeTakeFirstOrThrow(),
      ).not.toEqual({ deleted_at: null })
      expect(await stored(key)).toBe(true)
      const supplier = await signedIn(w.users.respA)
      const got = await supplier.get(`/assessments/${w.assessments.selfA}/evidence/${second}`)
      expect(got.statusCode).toBe(200)
      expect(got.rawPayload.equals(data)).toBe(true)
      expect(await t.app.db.selectFrom('evidence_blob_release').selectAll().execute()).toEqual([])
      if (kind === 'fs')
        expect(readdirSync(join(t.env.config.evidenceDir, 'deleting', 'org', String(w.supplierA)))).toEqual([])
    },
  )

  it('finishes at start-up a removal a stopped process left half-done, either way', async () => {
    const gone = pdf('deleted just before a crash')
    const kept = pdf('moved aside just before a crash, then attached again')
    const goneId = await addEvidence(
      t.app.db,
      w.principals.respA,
      w.assessments.requested,
      'A6.1',
      { name: 'a.pdf', data: gone },
      t.app.blobs,
    )
    const keptId = await addEvidence(
      t.app.db,
      w.principals.respA,
      w.assessments.requested,
      'A6.1',
      { name: 'b.pdf', data: kept },
      t.app.blobs,
    )
    const longAgo = new Date(Date.now() - 3600_000).toISOString()
    // The state a crash leaves: the deletion committed with its release, the blob still there...
    await t.app.db.updateTable('evidence').set({ deleted_at: longAgo }).where('id', '=', goneId).execute()
    await t.app.db
      .insertInto('evidence_blob_release')
      .values({ organisation_id: w.supplierA, sha256: sha(gone), created_at: longAgo })
      .execute()
    // ...and a release that had moved a blob aside when an upload of the same bytes committed.
    const { id: releaseId } = await t.app.db
      .insertInto('evidence_blob_release')
      .values({ organisation_id: w.supplierA, sha256: sha(kept), created_at: longAgo })
      .returning('id')
      .executeTakeFirstOrThrow()
    const aside = `deleting/org/${w.supplierA}/${sha(kept)}.${releaseId}`
    expect(await t.app.blobs.move(evidenceKey(w.supplierA, sha(kept)), aside)).toBe(true)

    const restarted = await buildApp(t.env.config, { logger: false })
    extraApps.push(restarted)
    expect(await stored(evidenceKey(w.supplierA, sha(gone)))).toBe(false)
    expect(await stored(evidenceKey(w.supplierA, sha(kept)))).toBe(true)
    expect(await stored(aside)).toBe(false)
    expect(await restarted.db.selectFrom('evidence_blob_release').selectAll().execute()).toEqual([])
    const supplier = await signedIn(w.users.respA, restarted)
    const got = await supplier.get(`/assessments/${w.assessments.requested}/evidence/${keptId}`)
    expect(got.rawPayload.equals(kept)).toBe(true)
  })

  it('refuses keys that could leave the store', async () => {
    const store =
      kind === 'fs'
        ? new FsBlobStore(t.env.config.evidenceDir)
        : new S3BlobStore({ endpoint: s3.endpoint, bucket: s3.bucket, region: 'us-east-1', forcePathStyle: true })
    for (const key of [
      '../secret',
      'org/../../etc/passwd',
      '/etc/passwd',
      'org//1',
      '.hidden',
      'org/1/a\\b',
      'org/%2e%2e/x',
      '',
    ])
      await expect(store.get(key), key).rejects.toBeInstanceOf(BlobKeyError)
    await expect(store.put('../../outside', Buffer.from('x'))).rejects.toBeInstanceOf(BlobKeyError)
    expect(existsSync(join(t.env.config.evidenceDir, '..', '..', 'outside'))).toBe(false)
    await store.close()
  })

  it.runIf(kind === 'fs')(
    'moves files of the layout before organisation keys at start-up, and leaves unnamed ones',
    async () => {
      const data = pdf('uploaded by an older version')
      const evidenceId = await addEvidence(
        t.app.db,
        w.principals.respA,
        w.assessments.requested,
        'A6.1',
        { name: 'old.pdf', data },
        t.app.blobs,
      )
      const dir = t.env.config.evidenceDir
      const legacy = join(dir, String(w.assessments.requested))
      mkdirSync(legacy, { mode: 0o700 })
      renameSync(join(dir, evidenceKey(w.supplierA, sha(data))), join(legacy, sha(data)))
      const stray = sha(Buffer.from('no row names this'))
      writeFileSync(join(legacy, stray), 'no row names this')

      const restarted = await buildApp(t.env.config, { logger: false })
      extraApps.push(restarted)
      expect(readFileSync(join(dir, evidenceKey(w.supplierA, sha(data)))).equals(data)).toBe(true)
      expect(readdirSync(legacy)).toEqual([stray])
      const supplier = await signedIn(w.users.respA, restarted)
      expect((await supplier.get(`/assessments/${w.assessments.requested}/evidence/${evidenceId}`)).statusCode).toBe(
        200,
      )
    },
  )
})

describe('fairhire backup with the S3 store', () => {
  it.skipIf(onPostgres)(
    'says the evidence files stay in the bucket, and a restore says whether they are there',
    {
      timeout: 120_000,
    },
    async () => {
      const t = await testApp(s3.env)
      try {
        const w = await buildWorld(t.app)
        const data = pdf('kept in the bucket')
        await addEvidence(
          t.app.db,
          w.principals.respA,
          w.assessments.requested,
          'A6.1',
          { name: 'x.pdf', data },
          t.app.blobs,
        )
        const env = { ...t.env.vars, ...s3.env, NODE_ENV: 'test' }
        const run = async (args: string[], vars: Record<string, string>) => {
          const p = spawnTs('src/cli.ts', args, vars)
          const code = await p.exit
          return { code, stdout: p.stdout(), stderr: p.stderr() }
        }
        const out = join(t.env.dir, 'backup.tar')
        const backup = await run(['backup', '--out', out], env)
        expect(backup.code, backup.stderr).toBe(0)
        expect(backup.stdout).toMatch(/\(\d+ pages, no evidence files\)/)
        expect(backup.stdout).toContain(
          `evidence files are not in this backup: they live in s3://${s3.bucket} at ${s3.endpoint} (EVIDENCE_STORE=s3)`,
        )

        const restored = await run(['restore', '--from', out], {
          ...env,
          DATABASE_PATH: join(t.env.dir, 'restored.db'),
        })
        expect(restored.code, restored.stderr).toBe(0)
        expect(restored.stderr).toContain(
          `holds no evidence files: they were left in s3://${s3.bucket} at ${s3.endpoint} when it was made (EVIDENCE_STORE=s3). All 1 evidence files its database refers to are in s3://${s3.bucket}`,
        )
        // Restored with the folder store instead, it names what the folder lacks.
        const onDisk = await run(['restore', '--from', out], {
          NODE_ENV: 'test',
          DATABASE_PATH: join(t.env.dir, 'on-disk', 'fairhire.db'),
        })
        expect(onDisk.code, onDisk.stderr).toBe(0)
        expect(onDisk.stderr).toContain('1 of the 1 evidence files its database refers to are not in')
      } finally {
        await t.close()
      }
    },
  )
})
