import { readlinkSync } from 'node:fs'
import { setPriority } from 'node:os'
import { parentPort } from 'node:worker_threads'
import { UploadRejected } from './errors.ts'
import { runUploadJob, type UploadJob } from './jobs.ts'

/**
 * The thread an uploaded workbook is read in (see pool.ts): one job at a time, answered with plain
 * data, a refusal (its message and reason) or a failure. A parser that runs out of memory or time ends this
 * thread, never the server.
 */

export type WorkerReply =
  | { ready: true }
  | { ok: true; result: unknown }
  | { ok: false; rejected: { message: string; reason: UploadRejected['reason'] } }
  | { ok: false; failed: string }

const port = parentPort
if (!port) throw new Error('reports/upload/worker.ts runs as a worker thread')

/**
 * Reading an upload yields the processor to the server's requests. On Linux every thread has a scheduling
 * priority of its own, and /proc/thread-self names this one; elsewhere the worker keeps the default.
 */
try {
  const thread = Number(readlinkSync('/proc/thread-self').split('/').pop())
  if (Number.isInteger(thread) && thread > 0) setPriority(thread, 10)
} catch {
  // No /proc, or not allowed: the worker still runs beside the server, at its priority.
}

port.on('message', async (job: UploadJob) => {
  let reply: WorkerReply
  try {
    reply = { ok: true, result: await runUploadJob(job) }
  } catch (err) {
    reply =
      err instanceof UploadRejected
        ? { ok: false, rejected: { message: err.message, reason: err.reason } }
        : { ok: false, failed: err instanceof Error ? (err.stack ?? err.message) : String(err) }
  }
  port.postMessage(reply)
})
port.postMessage({ ready: true } satisfies WorkerReply)
