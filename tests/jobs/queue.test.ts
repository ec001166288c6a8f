import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { openDatabase } from '../../src/db/connection.ts'
import * as repo from '../../src/jobs/job.repository.ts'
import { enqueue } from '../../src/jobs/job.service.ts'
import { type JobHandler, PermanentJobError, Worker } from '../../src/jobs/worker.ts'
import { freshEnv, type TestEnv, testApp } from '../helpers/app.ts'
import { finished, jobRow, manualClock, waitFor } from '../helpers/jobs.ts'

/**
 * The job queue through its worker, on the engine under test: claims, retries with backoff, leases that outlive
 * a dead process, restarts, and two workers on one database. The worker's clock is moved by hand, so nothing
 * here depends on how fast the machine is.
 */

type Handler = JobHandler<{ n?: number }>

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** An app that queues jobs but runs none (JOBS=off), so the test's own workers are the only ones. */
async function quietApp() {
  const t = await testApp({ JOBS: 'off' })
  cleanups.push(() => t.close())
  return t
}

describe('job queue', () => {
  it('runs a queued job once, with its payload, and keeps its result and progress', async () => {
    const { app } = await quietApp()
    const clock = manualClock()
    const seen: number[] = []
    const handler: Handler = {
      kind: 'test.echo',
      async run(ctx) {
        seen.push(ctx.payload.n ?? -1)
        await ctx.progress(3, 3)
        return { result: { doubled: (ctx.payload.n ?? 0) * 2 } }
      },
    }
    const { job, created } = await enqueue(app.db, 'test.echo', { n: 21 }, { now: clock.now() })
    expect(created).toBe(true)
    expect(job).toMatchObject({ status: 'queued', attempts: 0, progress_done: 0 })
    const worker = new Worker({ db: app.db, handlers: [handler], now: clock.now })
    expect((await worker.runOnce())?.id).toBe(job.id)
    expect(await worker.runOnce()).toBeUndefined()
    expect(seen).toEqual([21])
    const row = await jobRow(app.db, job.id)
    expect(row).toMatchObject({
      status: 'done',
      attempts: 1,
      progress_done: 3,
      progress_total: 3,
      locked_by: null,
      locked_until: null,
      error: null,
      finished_at: clock.now().toISOString(),
    })
    expect(JSON.parse(row.result ?? '')).toEqual({ doubled: 42 })
  })

  it('claims only kinds it has a handler for, and nothing before its time', async () => {
    const { app } = await quietApp()
    const clock = manualClock()
    const later = await enqueue(app.db, 'test.echo', {}, { runAt: new Date(clock.now().getTime() + 60_000) })
    await enqueue(app.db, 'test.other', {})
    const worker = new Worker({
      db: app.db,
      handlers: [{ kind: 'test.echo', run: async () => undefined } satisfies Handler],
      now: clock.now,
    })
    expect(await worker.runOnce()).toBeUndefined()
    clock.advance(60_000)
    expect((await worker.runOnce())?.id).toBe(later.job.id)
  })

  it('retries a failing job with exponential backoff, then marks it failed with the last error', async () => {
    const { app } = await quietApp()
    const clock = manualClock()
    const t0 = clock.now().getTime()
    let calls = 0
    const handler: Handler = {
      kind: 'test.flaky',
      async run() {
        calls++
        throw new Error(`upstream unavailable (${calls})`)
      },
    }
    const { job } = await enqueue(app.db, 'test.flaky', {}, { maxAttempts: 3, now: clock.now() })
    const worker = new Worker({ db: app.db, handlers: [handler], now: clock.now, backoffMs: 1000 })

    expect((await worker.runOnce())?.id).toBe(job.id)
    let row = await jobRow(app.db, job.id)
    expect(row).toMatchObject({ status: 'queued', attempts: 1, error: 'upstream unavailable (1)', locked_by: null })
    expect(row.run_at).toBe(new Date(t0 + 1000).toISOString())

    // Not before its time: the first wait is the base, the second twice that.
    clock.set(new Date(t0 + 999))
    expect(await worker.runOnce()).toBeUndefined()
    clock.set(new Date(t0 + 1000))
    expect((await worker.runOnce())?.id).toBe(job.id)
    row = await jobRow(app.db, job.id)
    expect(row).toMatchObject({ status: 'queued', attempts: 2, error: 'upstream unavailable (2)' })
    expect(row.run_at).toBe(new Date(t0 + 1000 + 2000).toISOString())
    clock.set(new Date(t0 + 2999))
    expect(await worker.runOnce()).toBeUndefined()

    clock.set(new Date(t0 + 3000))
    expect((await worker.runOnce())?.id).toBe(job.id)
    row = await jobRow(app.db, job.id)
    expect(row).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: 'upstream unavailable (3)',
      finished_at: new Date(t0 + 3000).toISOString(),
      locked_by: null,
    })
    clock.advance(3_600_000)
    expect(await worker.runOnce()).toBeUndefined()
    expect(calls).toBe(3)
    expect(worker.backoff(1)).toBe(1000)
    expect(worker.backoff(4)).toBe(8000)
    expect(worker.backoff(40)).toBe(3_600_000)
  })

  it('fails at once on a permanent error, without retrying', async () => {
    const { app } = await quietApp()
    const { job } = await enqueue(app.db, 'test.bad', {}, { maxAttempts: 5 })
    const worker = new Worker({
      db: app.db,
      handlers: [
        {
          kind: 'test.bad',
          run: async () => {
            throw new PermanentJobError('the payload names no brand')
          },
        } satisfies Handler,
      ],
    })
    await worker.runOnce()
    expect(await jobRow(app.db, job.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: 'PermanentJobError: the payload names no brand',
    })
  })

  it('gives a job whose process died to another worker once the lease has passed, and fails it after the last attempt', async () => {
    const { app } = await quietApp()
    const clock = manualClock()
    const t0 = clock.now().getTime()
    const ran: string[] = []
    const handler: Handler = {
      kind: 'test.survivor',
      async run(ctx) {
        ran.push(ctx.job.locked_by ?? '')
        return { result: { attempt: ctx.job.attempts } }
      },
    }
    const { job } = await enqueue(app.db, 'test.survivor', {}, { maxAttempts: 3, now: clock.now() })
    // A process claims the job (lease of one minute) and dies: nothing more is heard from it.
    const lease = 60_000
    const dead = await repo.claimNext(app.db, {
      workerId: 'dead-process',
      kinds: ['test.survivor'],
      now: clock.now().toISOString(),
      lockedUntil: new Date(t0 + lease).toISOString(),
    })
    expect(dead?.id).toBe(job.id)
    const worker = new Worker({ db: app.db, handlers: [handler], now: clock.now, leaseMs: lease })
    clock.set(new Date(t0 + lease - 1))
    expect(await worker.runOnce()).toBeUndefined()
    clock.set(new Date(t0 + lease + 1))
    expect((await worker.runOnce())?.id).toBe(job.id)
    const row = await jobRow(app.db, job.id)
    expect(row).toMatchObject({ status: 'done', attempts: 2 })
    expect(JSON.parse(row.result ?? '')).toEqual({ attempt: 2 })
    expect(ran).toEqual([worker.id])

    // A job that kills its process on every attempt is not run for ever.
    const { job: doomed } = await enqueue(app.db, 'test.survivor', {}, { maxAttempts: 2, now: clock.now() })
    for (let i = 0; i < 2; i++) {
      const now = clock.now()
      expect(
        await repo.claimNext(app.db, {
          workerId: `dead-${i}`,
          kinds: ['test.survivor'],
          now: now.toISOString(),
          lockedUntil: new Date(now.getTime() + lease).toISOString(),
        }),
      ).toMatchObject({ id: doomed.id, attempts: i + 1 })
      clock.advance(lease + 1)
    }
    expect(await worker.runOnce()).toBeUndefined()
    expect(await jobRow(app.db, doomed.id)).toMatchObject({
      status: 'failed',
      attempts: 2,
      error: 'the process running it stopped before it finished, on every attempt',
    })
    expect(ran).toHaveLength(1)
  })

  it('keeps one queued job per dedupe key, and takes the key again once that job has finished', async () => {
    const { app } = await quietApp()
    const first = await enqueue(app.db, 'test.echo', { n: 1 }, { dedupeKey: 'echo:one' })
    const again = await enqueue(app.db, 'test.echo', { n: 2 }, { dedupeKey: 'echo:one' })
    expect(again).toMatchObject({ created: false, job: { id: first.job.id } })
    const other = await enqueue(app.db, 'test.echo', { n: 3 }, { dedupeKey: 'echo:two' })
    expect(other.created).toBe(true)
    const worker = new Worker({
      db: app.db,
      handlers: [{ kind: 'test.echo', run: async () => undefined } satisfies Handler],
    })
    await worker.runOnce()
    expect((await jobRow(app.db, first.job.id)).status).toBe('done')
    const later = await enqueue(app.db, 'test.echo', { n: 4 }, { dedupeKey: 'echo:one' })
    expect(later.created).toBe(true)
    expect(later.job.id).not.toBe(first.job.id)
  })
})

describe('jobs across a restart', () => {
  /** Apps on one database, one after the other, as a server restarted. */
  function sameDatabase(): TestEnv {
    const env = freshEnv()
    cleanups.push(() => env.cleanup())
    return env
  }

  it('a job queued before a stop is run by the next process', async () => {
    const env = sameDatabase()
    const runs: number[] = []
    const handler: Handler = {
      kind: 'test.count',
      async run(ctx) {
        runs.push(ctx.job.id)
        return { result: 'counted' }
      },
    }
    const first = await buildApp({ ...env.config, jobs: { enabled: false } }, { logger: false })
    const { job } = await enqueue(first.db, 'test.count', {})
    await first.close()
    expect(runs).toEqual([])

    const second = await buildApp(env.config, { logger: false, jobs: { handlers: [handler] } })
    try {
      expect(await finished(second.db, job.id)).toMatchObject({ status: 'done', attempts: 1, result: '"counted"' })
      expect(runs).toEqual([job.id])
    } finally {
      await second.close()
    }
  })

  it('a job running when its app closes is handed back, and the next process runs it to the end', async () => {
    const env = sameDatabase()
    let started!: () => void
    const running = new Promise<void>((resolve) => {
      started = resolve
    })
    // Works until told to stop, as a long export does between rows.
    const slow: Handler = {
      kind: 'test.long',
      async run(ctx) {
        await ctx.progress(1, 10)
        started()
        await new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true })
        })
        return undefined
      },
    }
    const first = await buildApp(env.config, { logger: false, jobs: { handlers: [slow] } })
    const { job } = await enqueue(first.db, 'test.long', {})
    first.jobs.wake()
    await running
    expect(await jobRow(first.db, job.id)).toMatchObject({ status: 'running', attempts: 1, progress_done: 1 })
    await first.close()

    const reopened = openDatabase(env.config.database)
    try {
      // Handed back: queued again, its interrupted attempt not counted against it.
      expect(await jobRow(reopened.db, job.id)).toMatchObject({ status: 'queued', attempts: 0, locked_by: null })
    } finally {
      await reopened.destroy()
    }

    const quick: Handler = { kind: 'test.long', run: async () => ({ result: 'finished' }) }
    const second = await buildApp(env.config, { logger: false, jobs: { handlers: [quick] } })
    try {
      expect(await finished(second.db, job.id)).toMatchObject({ status: 'done', attempts: 1, result: '"finished"' })
    } finally {
      await second.close()
    }
  })
})

describe('two workers on one database', () => {
  it('never run the same job twice', async () => {
    const env = freshEnv({ JOBS: 'off' })
    cleanups.push(() => env.cleanup())
    // Two connections (two SQLite handles on one file, or two PostgreSQL pools), as two processes have.
    const a = openDatabase(env.config.database)
    const b = openDatabase(env.config.database)
    cleanups.push(() => a.destroy())
    cleanups.push(() => b.destroy())
    const n = 120
    for (let i = 0; i < n; i++) await enqueue(a.db, 'test.once', { n: i })
    const runs: { job: number; worker: string }[] = []
    const handler = (name: string): Handler => ({
      kind: 'test.once',
      async run(ctx) {
        runs.push({ job: ctx.job.id, worker: name })
        // A little work, so that the two workers' claims interleave.
        await new Promise((r) => setTimeout(r, Math.random() * 3))
        return undefined
      },
    })
    const workers = [
      new Worker({ db: a.db, handlers: [handler('a')], pollMs: 5, concurrency: 3 }),
      new Worker({ db: b.db, handlers: [handler('b')], pollMs: 5, concurrency: 3 }),
    ]
    for (const w of workers) w.start()
    try {
      await waitFor('every job to be done', async () => {
        const left = await a.db
          .selectFrom('job')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('kind', '=', 'test.once')
          .where('status', '!=', 'done')
          .executeTakeFirstOrThrow()
        return Number(left.n) === 0 ? true : undefined
      })
    } finally {
      for (const w of workers) await w.stop()
    }
    const ids = runs.map((r) => r.job)
    expect(ids).toHaveLength(n)
    expect(new Set(ids).size).toBe(n)
    // Both took part, so the claims really competed.
    expect(runs.some((r) => r.worker === 'a')).toBe(true)
    expect(runs.some((r) => r.worker === 'b')).toBe(true)
    const attempts = await a.db.selectFrom('job').select('attempts').where('kind', '=', 'test.once').execute()
    expect(attempts.every((r) => r.attempts === 1)).toBe(true)
  })
})
