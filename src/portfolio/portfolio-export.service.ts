import type { ReadStream } from 'node:fs'
import { type Principal, requireOrgKind, requireRole } from '../access/principal.ts'
import type { Conn } from '../db/database.ts'
import { listForOrganisation } from '../jobs/job.repository.ts'
import { enqueue, fractionDone, jobById } from '../jobs/job.service.ts'
import type { JobRow } from '../jobs/job.table.ts'
import { openJobFile } from '../jobs/job-files.ts'
import type { JobKind } from '../jobs/kinds.ts'

/**
 * Portfolio exports made in the background: a brand asks for one, watches its progress, and downloads the file
 * for a set time (EXPORT_RETENTION_HOURS). The export itself is portfolio-export.job.ts. An export, its status
 * and its file are its brand's alone: any other caller is told it does not exist.
 */

export const EXPORT_KIND = 'portfolio-export' satisfies JobKind

/** A refusal with the HTTP status it maps to (plugins/app/errors.ts). */
export class ExportError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
    this.name = 'ExportError'
  }
}

export type ExportView = {
  id: number
  status: JobRow['status']
  /** Suppliers written so far, out of total (null until counted). */
  done: number
  total: number | null
  /** From 0 to 1, or null while the size is unknown. */
  fraction: number | null
  createdAt: string
  finishedAt: string | null
  /** When the file is deleted. */
  expiresAt: string | null
  fileName: string | null
  bytes: number | null
  /** A retry is waiting: the last attempt failed. */
  retrying: boolean
  links: { self: string; download: string | null }
}

type ExportResult = { fileName: string; bytes: number; suppliers: number }

function viewOf(job: JobRow): ExportView {
  const result = job.status === 'done' && job.result ? (JSON.parse(job.result) as ExportResult) : null
  return {
    id: job.id,
    status: job.status,
    done: job.progress_done,
    total: job.progress_total,
    fraction: fractionDone(job),
    createdAt: job.created_at,
    finishedAt: job.finished_at,
    expiresAt: job.expires_at,
    fileName: result?.fileName ?? null,
    bytes: result?.bytes ?? null,
    retrying: job.status === 'queued' && job.error !== null,
    links: {
      self: `/portfolio/exports/${job.id}`,
      download: result ? `/portfolio/exports/${job.id}/download` : null,
    },
  }
}

/**
 * Queues an export of the caller's brand portfolio. One at a time per brand: while one is queued or running,
 * asking again returns it (`created: false`) rather than starting a second.
 */
export async function requestExport(db: Conn, p: Principal, now = new Date()) {
  requireOrgKind(p, 'brand')
  requireRole(p, 'admin', 'analyst')
  const { job, created } = await enqueue(
    db,
    EXPORT_KIND,
    { requestedBy: p.userId },
    { organisationId: p.organisationId, createdBy: p.userId, dedupeKey: `${EXPORT_KIND}:${p.organisationId}`, now },
  )
  return { export: viewOf(job), created }
}

/** The export if it is the caller's brand's; otherwise "not found", whether it exists or not. */
async function ownExport(db: Conn, p: Principal, id: number): Promise<JobRow> {
  const job = await jobById(db, id)
  if (!job || job.kind !== EXPORT_KIND || p.organisationKind !== 'brand' || job.organisation_id !== p.organisationId)
    throw new ExportError(
      'Export not found. A finished export can be downloaded for a limited time, then it is deleted.',
      404,
    )
  return job
}

export async function exportStatus(db: Conn, p: Principal, id: number): Promise<ExportView> {
  return viewOf(await ownExport(db, p, id))
}

/** The brand's latest exports, newest first. */
export async function recentExports(db: Conn, p: Principal, limit = 10): Promise<ExportView[]> {
  requireOrgKind(p, 'brand')
  return (await listForOrganisation(db, p.organisationId, EXPORT_KIND, limit)).map(viewOf)
}

/** The finished file to send, with the name to save it as. */
export async function exportFile(
  db: Conn,
  p: Principal,
  id: number,
  filesDir: string,
  now = new Date(),
): Promise<{ stream: ReadStream; bytes: number; fileName: string }> {
  const view = viewOf(await ownExport(db, p, id))
  if (view.status !== 'done' || !view.fileName)
    throw new ExportError(
      view.status === 'failed' || view.status === 'cancelled'
        ? 'This export did not complete. Ask for a new one.'
        : 'This export is not ready yet.',
      409,
    )
  if (view.expiresAt && view.expiresAt <= now.toISOString())
    throw new ExportError('This export has expired and is being deleted. Ask for a new one.', 404)
  const file = await openJobFile(filesDir, id, 'xlsx')
  if (!file) throw new ExportError('The file of this export is no longer kept. Ask for a new one.', 404)
  return { ...file, fileName: view.fileName }
}
