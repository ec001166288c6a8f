import { Worker } from 'node:worker_threads'
import { UploadRejected } from './errors.ts'
import type { UploadJob, UploadJobResult } from './jobs.ts'
import type { WorkerReply } from './worker.ts'

/**
 * Uploaded workbooks are read off the event loop, in worker threads, a few at a time. Reading one takes
 * a fraction of a second and tens of megabytes; on the main thread that would stall every other request
 * for as long, and a pathological file that got past the upload checks could still exhaust the process.
 * In a worker it runs beside the server, under a memory ceiling (resourceLimits) and a time limit; hitting
 * either ends that worker only, and the upload is refused with the limit named.
 *
 * At most SIZE uploads are read at once and QUEUE more wait; beyond that the upload is refused at once with
 * UploadBusy (503, Retry-After): a burst of uploads queues a handful, never the server's memory.
 * Workers are started on demand, reused, and stopped after a while without work.
 */

export type PoolOptions = {
  /** Workers reading at once. */
  size: number
  /** Uploads waiting for a worker. */
  queue: number
  /** Time one upload may take in its worker, once the worker is running. */
  timeoutMs: number
  /** The heap a worker may grow to. */
  memoryMb: number
  /** A worker without work for this long is stopped. */
  idleMs: number
}

export const UPLOAD_POOL: PoolOptions = { size: 2, queue: 2, timeoutMs: 15_000, memoryMb: 256, idleMs: 30_000 }

/** Every worker is busy and the queue is full: the caller answers 503 and asks the client to retry. */
export class UploadBusy extends Error {
  readonly retryAfterSeconds = 5
  constructor() {
    super(
      'Fairhire is reading other uploaded workbooks right now and cannot take this one; nothing was saved. Upload it again in a few seconds.',
    )
    this.name = 'UploadBusy'
  }
}

type Task = { job: UploadJob; resolve: (value: unknown) => void; reject: (err: Error) => void }
type Slot = { worker: Worker; ready: boolean; task: Task | null; timer?: NodeJS.Timeout; idle?: NodeJS.Timeout }

export class UploadPool {
  private readonly slots = new Set<Slot>()
  private readonly waiting: Task[] = []

  constructor(private readonly options: PoolOptions = UPLOAD_POOL) {}

  run<J extends UploadJob>(job: J): Promise<UploadJobResult<J>> {
    return new Promise((resolve, reject) => {
      const task: Task = { job, resolve: resolve as (value: unknown) => void, reject }
      const free = [...this.slots].find((s) => s.ready && !s.task)
      if (free) this.dispatch(free, task)
      else if (this.slots.size < this.options.size) {
        this.waiting.push(task)
        this.start()
      } else if (this.waiting.length - this.starting() >= this.options.queue) reject(new UploadBusy())
      else this.waiting.push(task)
    })
  }

  /** Uploads waiting for a worker that is starting are about to run; the others are the queue. */
  private starting(): number {
    let n = 0
    for (const slot of this.slots) if (!slot.ready) n++
    return n
  }

  /** Stops every worker; uploads still waiting or running are refused as busy. */
  async close(): Promise<void> {
    for (const task of this.waiting.splice(0)) task.reject(new UploadBusy())
    await Promise.all(
      [...this.slots].map((slot) => {
        this.slots.delete(slot)
        clearTimeout(slot.timer)
        clearTimeout(slot.idle)
        slot.task?.reject(new UploadBusy())
        return slot.worker.terminate()
      }),
    )
  }

  private start(): void {
    const slot: Slot = { worker: spawnWorker(this.options.memoryMb), ready: false, task: null }
    this.slots.add(slot)
    // A worker never keeps the process alive: the server has its own reasons to run, a CLI none.
    slot.worker.unref()
    slot.worker.on('message', (reply: WorkerReply) => this.onReply(slot, reply))
    slot.worker.on('error', (err) => this.onGone(slot, describeCrash(err, this.options)))
    slot.worker.on('exit', () =>
      this.onGone(slot, new Error('The worker reading the workbook stopped before it answered.')),
    )
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    if ('ready' in reply) {
      slot.ready = true
      this.next(slot)
      return
    }
    const task = slot.task
    clearTimeout(slot.timer)
    slot.task = null
    if (task) {
      if (reply.ok) task.resolve(reply.result)
      else if ('rejected' in reply) task.reject(new UploadRejected(reply.rejected.message, reply.rejected.reason))
      else task.reject(new Error(`Reading an uploaded workbook failed: ${reply.failed}`))
    }
    this.next(slot)
  }

  /** The slot's worker ended (crash, memory limit, time limit): its upload fails, the others carry on. */
  private onGone(slot: Slot, err: Error): void {
    if (!this.slots.delete(slot)) return
    clearTimeout(slot.timer)
    clearTimeout(slot.idle)
    slot.task?.reject(err)
    slot.task = null
    void slot.worker.terminate()
    // A worker that never got ready fails the upload waiting for it, rather than start another that may fail too.
    if (!slot.ready) this.waiting.shift()?.reject(err)
    if (this.waiting.length > 0 && this.slots.size < this.options.size) this.start()
  }

  private next(slot: Slot): void {
    const task = this.waiting.shift()
    if (task) {
      this.dispatch(slot, task)
      return
    }
    clearTimeout(slot.idle)
    slot.idle = setTimeout(() => {
      if (slot.task || !this.slots.delete(slot)) return
      void slot.worker.terminate()
    }, this.options.idleMs)
    slot.idle.unref()
  }

  private dispatch(slot: Slot, task: Task): void {
    clearTimeout(slot.idle)
    slot.task = task
    slot.timer = setTimeout(() => {
      this.onGone(
        slot,
        new UploadRejected(
          `Reading the workbook took longer than ${this.options.timeoutMs / 1000} seconds, far longer than a questionnaire or action plan needs, so it was stopped. Nothing was saved.`,
          'too_slow',
        ),
      )
    }, this.options.timeoutMs)
    slot.timer.unref()
    slot.worker.postMessage(task.job)
  }
}

function describeCrash(err: Error, options: PoolOptions): Error {
  if ((err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new UploadRejected(
      `Reading the workbook needed more than ${options.memoryMb} MB of memory, far more than a questionnaire or action plan needs, so it was stopped. Nothing was saved.`,
      'too_much_memory',
    )
  }
  return err
}

/**
 * The worker runs worker.ts: compiled JavaScript beside this file in dist/, or the TypeScript source
 * when the server runs from the sources (tests, `npm run dev`), where the worker registers tsx first.
 */
function spawnWorker(memoryMb: number): Worker {
  const here = import.meta.url
  const fromSource = here.endsWith('.ts')
  const entry = new URL(`./worker.${fromSource ? 'ts' : 'js'}`, here)
  const options = { resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 32 } }
  if (!fromSource) return new Worker(entry, options)
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}) })`
  return new Worker(boot, { ...options, eval: true })
}

/** The pool the upload routes share. */
export const uploadPool = new UploadPool()

/** Reads one uploaded workbook in a worker (see UploadPool.run). */
export function parseInWorker<J extends UploadJob>(job: J): Promise<UploadJobResult<J>> {
  return uploadPool.run(job)
}
