import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { rescoreHandler } from '../../assessment/rescore.service.ts'
import { enqueue } from '../../jobs/job.service.ts'
import { SWEEP_KIND, sweepHandler } from '../../jobs/sweep.job.ts'
import { type JobHandler, Worker, type WorkerOptions } from '../../jobs/worker.ts'
import { portfolioExportHandler } from '../../portfolio/portfolio-export.job.ts'

declare module 'fastify' {
  interface FastifyInstance {
    jobs: {
      /** Tells this process's worker that a job was just queued (it polls anyway; this only saves the wait). */
      wake(): void
      /** The worker; null when this process runs no jobs (JOBS=off). */
      worker: Worker | null
    }
  }
}

export type JobsPluginOptions = {
  /** Extra handlers (tests) and worker settings; the worker runs only when the configuration says JOBS=on. */
  handlers?: JobHandler<never>[]
  worker?: Partial<Omit<WorkerOptions, 'db' | 'handlers' | 'log'>>
}

/**
 * Background jobs in this process: a worker polling the job table (src/jobs/worker.ts) with a handler per kind,
 * started with the app and stopped before the database closes. With JOBS=off jobs are still queued here and run
 * by another process that has JOBS=on.
 */
export default fp(
  async (app: FastifyInstance, opts: JobsPluginOptions) => {
    const c = app.config
    if (!c.jobs.enabled) {
      app.decorate('jobs', { wake() {}, worker: null })
      return
    }
    const worker = new Worker({
      db: app.db,
      handlers: [
        rescoreHandler({ db: app.db }),
        portfolioExportHandler({
          db: app.db,
          databasePath: c.databasePath,
          filesDir: c.exportsDir,
          retentionHours: c.exportRetentionHours,
        }),
        sweepHandler({ db: app.db, filesDir: c.exportsDir, retentionHours: c.exportRetentionHours }),
        ...(opts.handlers ?? []),
      ],
      // Two at a time, so that a long re-score does not hold up a brand's export.
      concurrency: 2,
      log: app.log.child({ component: 'jobs' }),
      ...opts.worker,
    })
    app.decorate('jobs', { wake: () => worker.wake(), worker })
    // The clean-up runs once per database, whatever the number of processes: one queued sweep (dedupe key).
    await enqueue(app.db, SWEEP_KIND, {}, { dedupeKey: SWEEP_KIND, now: worker.now() })
    app.addHook('onReady', async () => worker.start())
    // Hooks close in reverse order of registration, so this runs before the database plugin closes the database.
    app.addHook('onClose', async () => worker.stop())
  },
  { name: 'jobs', dependencies: ['config', 'db'] },
)
