import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Conn } from '../db/database.ts'
import * as repo from './job.repository.ts'
import type { JobRow } from './job.table.ts'

/**
 * Runs background jobs: polls the `job` table, claims what is due (job.repository.claimNext), runs the handler
 * registered for its kind and records the outcome. Any number of workers, in any number of processes, may poll
 * one database: a claim is one statement, so each job is run by one worker at a time.
 *
 * A job is run at least once, not exactly once: a worker that dies mid-job (killed, out of memory) leaves its
 * lease to run out, and another worker runs the job again from the start. Handlers are written so that running
 * one again is harmless (they skip what is done, or overwrite what they made).
 */

export type JobLog = {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

const silent: JobLog = { info() {}, warn() {}, error() {} }

export type JobContext<P> = {
  job: JobRow
  payload: P
  /** Aborted when the worker stops or loses the job (lease taken over, job cancelled): stop soon. */
  signal: AbortSignal
  /** Records progress and extends the lease; cheap to call often (it writes at most once a second). */
  progress(done: number, total?: number | null): Promise<void>
  now(): Date
  log: JobLog
}

/** What a handler may return: the result to keep (as JSON), when its output expires, or when to run again. */
export type JobOutcome = { result?: unknown; expiresAt?: Date | null; again?: Date } | undefined

export type JobHandler<P = never> = {
  kind: string
  run(ctx: JobContext<P>): Promise<JobOutcome>
}

/** A failure that another attempt would not cure (bad payload, the brand is gone): failed at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError'
}

/** Thrown into a handler (through its signal or `progress`) when its worker no longer holds the job. */
export class JobLost extends Error {
  override name = 'JobLost'
}

class WorkerStopping extends Error {
  override name = 'WorkerStopping'
}

export type WorkerOptions = {
  db: Conn
  // biome-ignore lint/suspicious/noExplicitAny: handlers of every payload type
  handlers: JobHandler<any>[]
  /** Between polls when idle. */
  pollMs?: number
  /** How long a claim holds a job without a sign of life; renewed every third of it while the handler runs. */
  leaseMs?: number
  /** Jobs run side by side in this process. */
  concurrency?: number
  /** A failed attempt waits backoffMs × 2^(attempt − 1), at most maxBackoffMs, before the next. */
  backoffMs?: number
  maxBackoffMs?: number
  /** How long `stop` waits for running handlers to give up after being told to stop. */
  stopGraceMs?: number
  now?: () => Date
  log?: JobLog
  id?: string
}

type Running = { ac: AbortController; done: Promise<void> }

export class Worker {
  readonly id: string
  private readonly db: Conn
  // biome-ignore lint/suspicious/noExplicitAny: see WorkerOptions
  private readonly handlers: Map<string, JobHandler<any>>
  private readonly pollMs: number
  private readonly leaseMs: number
  private readonly concurrency: number
  private readonly backoffMs: number
  private readonly maxBackoffMs: number
  private readonly stopGraceMs: number
  private readonly log: JobLog
  readonly now: () => Date
  private state: 'new' | 'started' | 'stopping' | 'stopped' = 'new'
  private timer: NodeJS.Timeout | null = null
  private polling: Promise<void> | null = null
  private pollAgain = false
  private lastReap = Number.NEGATIVE_INFINITY
  private readonly running = new Map<number, Running>()

  constructor(o: WorkerOptions) {
    this.db = o.db
    this.handlers = new Map(o.handlers.map((h) => [h.kind, h]))
    this.pollMs = o.pollMs ?? 2000
    this.leaseMs = o.leaseMs ?? 60_000
    this.concurrency = o.concurrency ?? 1
    this.backoffMs = o.backoffMs ?? 10_000
    this.maxBackoffMs = o.maxBackoffMs ?? 3_600_000
    this.stopGraceMs = o.stopGraceMs ?? 10_000
    this.log = o.log ?? silent
    this.now = o.now ?? (() => new Date())
    this.id = o.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
  }

  get kinds(): string[] {
    return [...this.handlers.keys()]
  }

  /** Starts polling; the first poll is at once. */
  start(): void {
    if (this.state !== 'new') return
    this.state = 'started'
    this.schedule(0)
  }

  /** Polls soon rather than at the next tick of the timer (a job was just queued in this process). */
  wake(): void {
    if (this.state !== 'started') return
    if (this.polling) this.pollAgain = true
    else this.schedule(0)
  }

  /**
   * Stops polling and tells running handlers to stop; waits for them (at most stopGraceMs). A job given up this
   * way is queued again at once, its attempt not counted; one whose handler does not stop in time keeps its lease
   * until it runs out, and is then run again by whichever worker claims it.
   */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return
    this.state = 'stopping'
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.polling
    for (const r of this.running.values()) r.ac.abort(new WorkerStopping('the worker is stopping'))
    const all = Promise.allSettled([...this.running.values()].map((r) => r.done))
    let grace: NodeJS.Timeout | undefined
    await Promise.race([
      all,
      new Promise((resolve) => {
        grace = setTimeout(resolve, this.stopGraceMs)
        grace.unref()
      }),
    ])
    clearTimeout(grace)
    this.state = 'stopped'
  }

  /** Claims one due job and runs it to the end; undefined when nothing is due. For tests and the command line. */
  async runOnce(): Promise<JobRow | undefined> {
    await this.reap(true)
    const job = await this.claim()
    if (job) await this.execute(job, new AbortController())
    return job
  }

  /** Claims the given job and runs it; false when another worker holds it or it is finished. */
  async runJob(id: number): Promise<boolean> {
    const now = this.now()
    const job = await repo.claimById(this.db, id, {
      workerId: this.id,
      now: now.toISOString(),
      lockedUntil: this.leaseEnd(now),
    })
    if (!job) return false
    await this.execute(job, new AbortController())
    return true
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      this.polling = this.poll().finally(() => {
        this.polling = null
        if (this.state === 'started') this.schedule(this.pollAgain ? 0 : this.pollMs)
        this.pollAgain = false
      })
    }, ms)
    // Polling alone never keeps the process alive.
    this.timer.unref()
  }

  private async poll(): Promise<void> {
    try {
      await this.reap()
      while (this.state === 'started' && this.running.size < this.concurrency) {
        const job = await this.claim()
        if (!job) break
        if (this.state !== 'started') {
          // Stopping began while claiming: hand the job straight back.
          await repo.release(this.db, job.id, this.id, this.now().toISOString())
          break
        }
        const ac = new AbortController()
        const done = this.execute(job, ac)
          .catch((err: unknown) => this.log.error({ err, job: job.id }, 'could not record the outcome of a job'))
          .finally(() => {
            this.running.delete(job.id)
            this.wake()
          })
        this.running.set(job.id, { ac, done })
      }
    } catch (err) {
      // A database that is briefly unreachable: the next poll tries again.
      this.log.error({ err }, 'polling for jobs failed')
    }
  }

  /**
   * Marks failed the jobs whose process died on their last attempt. Once a minute at most: on SQLite even an
   * update that changes nothing takes the write lock.
   */
  private async reap(now = false): Promise<void> {
    const t = performance.now()
    if (!now && t - this.lastReap < 60_000) return
    this.lastReap = t
    const failed = await repo.failAbandoned(this.db, this.now().toISOString())
    if (failed > 0) this.log.warn({ failed }, 'jobs whose process stopped on every attempt are marked failed')
  }

  private leaseEnd(from: Date): string {
    return new Date(from.getTime() + this.leaseMs).toISOString()
  }

  private claim(): Promise<JobRow | undefined> {
    const now = this.now()
    return repo.claimNext(this.db, {
      workerId: this.id,
      kinds: this.kinds,
      now: now.toISOString(),
      lockedUntil: this.leaseEnd(now),
    })
  }

  /** The wait before attempt `attempt + 1`. */
  backoff(attempt: number): number {
    return Math.min(this.maxBackoffMs, this.backoffMs * 2 ** Math.max(0, attempt - 1))
  }

  private async execute(job: JobRow, ac: AbortController): Promise<void> {
    const { db } = this
    const handler = this.handlers.get(job.kind)
    const log = this.log
    const fields = { job: job.id, kind: job.kind, attempt: job.attempts }
    let lost = false
    const loseJob = () => {
      if (lost) return
      lost = true
      ac.abort(new JobLost(`job ${job.id} is no longer held by this worker`))
    }
    // The lease is renewed while the handler runs, whether or not it reports progress.
    const heartbeat = setInterval(
      () => {
        repo.renew(db, job.id, this.id, this.leaseEnd(this.now())).then(
          (held) => held || loseJob(),
          (err: unknown) => log.warn({ ...fields, err }, 'could not renew the lease of a job'),
        )
      },
      Math.max(10, Math.floor(this.leaseMs / 3)),
    )
    heartbeat.unref()
    let lastWrite = 0
    const ctx: JobContext<unknown> = {
      job,
      payload: JSON.parse(job.payload) as unknown,
      signal: ac.signal,
      now: this.now,
      log,
      progress: async (done, total = null) => {
        if (lost) throw new JobLost(`job ${job.id} is no longer held by this worker`)
        const t = performance.now()
        if (t - lastWrite < 1000 && done !== total) return
        lastWrite = t
        const held = await repo.renew(db, job.id, this.id, this.leaseEnd(this.now()), { done, total })
        if (!held) {
          loseJob()
          throw new JobLost(`job ${job.id} is no longer held by this worker`)
        }
      },
    }
    try {
      if (!handler) throw new PermanentJobError(`no handler for jobs of kind "${job.kind}"`)
      log.info(fields, 'job started')
      const outcome = await handler.run(ctx)
      if (lost) return
      const now = this.now()
      const result = outcome?.result === undefined ? null : JSON.stringify(outcome.result)
      const held = outcome?.again
        ? await repo.requeue(db, job.id, this.id, { runAt: outcome.again.toISOString(), result })
        : await repo.markDone(db, job.id, this.id, {
            result,
            now: now.toISOString(),
            expiresAt: outcome?.expiresAt ? outcome.expiresAt.toISOString() : null,
          })
      if (held) log.info(fields, 'job done')
      else log.warn(fields, 'job finished after another worker took it over; its outcome is not recorded')
    } catch (err) {
      if (lost) {
        log.warn(fields, 'job given up: another worker holds it now, or it was cancelled')
        return
      }
      const now = this.now()
      if (ac.signal.aborted && ac.signal.reason instanceof WorkerStopping) {
        await repo.release(db, job.id, this.id, now.toISOString())
        log.info(fields, 'job handed back: the worker is stopping')
        return
      }
      const error = describe(err)
      if (err instanceof PermanentJobError || job.attempts >= job.max_attempts) {
        await repo.markFailed(db, job.id, this.id, { error, now: now.toISOString() })
        log.error({ ...fields, err }, 'job failed')
      } else {
        const runAt = new Date(now.getTime() + this.backoff(job.attempts))
        await repo.retryLater(db, job.id, this.id, { runAt: runAt.toISOString(), error })
        log.warn({ ...fields, err, retryAt: runAt.toISOString() }, 'job attempt failed; it will be tried again')
      }
    } finally {
      clearInterval(heartbeat)
    }
  }
}

/** What is kept of an error: its message, bounded (no stack: it is shown to operators, not developers). */
function describe(err: unknown): string {
  const text = err instanceof Error ? `${err.name === 'Error' ? '' : `${err.name}: `}${err.message}` : String(err)
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text
}
