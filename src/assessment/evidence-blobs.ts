import { readdir, rmdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { BlobStore } from '../blob/blob-store.ts'
import type { FsBlobStore } from '../blob/fs-blob-store.ts'
import type { Conn } from '../db/database.ts'
import { inTransaction } from '../db/transaction.ts'
import * as evidenceRepo from './evidence.repository.ts'

/**
 * Where evidence files' bytes live in the blob store, and when they go.
 *
 * Key: `org/<organisation id>/<sha256>`, the organisation being the respondent that owns the assessment. The
 * same document attached twice by one organisation is stored once; another organisation's copy is another
 * blob, so nothing one organisation does (deleting, restoring) touches another's files.
 *
 * A blob is removed once no attached evidence row of its organisation names its content. The removal runs
 * after the deleting transaction commits (a transaction may be run again on PostgreSQL, and a removed blob
 * cannot be put back by a rollback), driven by an `evidence_blob_release` row written in that transaction, so
 * that a crash in between leaves the work to be finished by `sweepReleases` rather than a forgotten document.
 *
 * The race: an upload of the same bytes by the same organisation while the last row naming them is deleted.
 * The upload stores the blob, then commits its row; the release counts rows, then removes the blob. Counted
 * before the upload's commit and removed after the upload stored it, the blob would be gone under a committed
 * row. Both sides therefore write first and check after, so that at least one sees the other:
 * - the release does not delete the blob at once: it moves it aside (`deleting/...`), counts the rows again,
 *   and puts it back if a row appeared, deleting it only if none did;
 * - the upload, after its commit, checks that the blob is still there and stores it again if not
 *   (`confirmStored`; it still has the bytes).
 * If the upload's check came before the move aside, its commit came before the second count, which then sees
 * its row; if it came after, it sees the blob gone and stores it again. Either way the committed row has its
 * blob. The cost is one existence check per upload and one move per release.
 */

export const evidenceKey = (organisationId: number, sha256: string) => `org/${organisationId}/${sha256}`

/** Where a release keeps the blob while it counts again; unique per release, so two never share it. */
const asideKey = (organisationId: number, sha256: string, releaseId: number) =>
  `deleting/org/${organisationId}/${sha256}.${releaseId}`

/** A release left unfinished this long ago is taken over by `sweepReleases`; a live one takes milliseconds. */
export const STALE_RELEASE_MS = 10 * 60 * 1000

/** After an upload's row is committed: the blob must still be there (see the race above). */
export async function confirmStored(blobs: BlobStore, key: string, data: Buffer): Promise<void> {
  if (!(await blobs.has(key))) await blobs.put(key, data)
}

/** Records, in the caller's transaction, that a blob may no longer be needed. */
export function scheduleRelease(trx: Conn, organisationId: number, sha256: string, now: Date): Promise<number> {
  return evidenceRepo.insertRelease(trx, organisationId, sha256, now.toISOString())
}

/**
 * Removes the blob of a scheduled release unless an attached evidence row still names it, then closes the
 * release. Safe to run again after a crash at any point, and at the same time as uploads.
 */
export async function runRelease(
  db: Conn,
  blobs: BlobStore,
  release: { id: number; organisation_id: number; sha256: string },
): Promise<'deleted' | 'kept'> {
  const { id, organisation_id: org, sha256 } = release
  const key = evidenceKey(org, sha256)
  const aside = asideKey(org, sha256, id)
  if ((await evidenceRepo.liveReferences(db, org, sha256)) === 0) await blobs.move(key, aside)
  let outcome: 'deleted' | 'kept'
  if ((await evidenceRepo.liveReferences(db, org, sha256)) > 0) {
    // Still named (from the start, or by an upload that committed meanwhile): back in place. An upload that
    // stored it again meanwhile wrote the same bytes, so overwriting its copy changes nothing.
    await blobs.move(aside, key)
    outcome = 'kept'
  } else {
    await blobs.delete(aside)
    outcome = 'deleted'
  }
  await evidenceRepo.deleteRelease(db, id)
  return outcome
}

/** Schedules and runs a release in one go: for an upload whose row was never committed. */
export async function releaseNow(db: Conn, blobs: BlobStore, organisationId: number, sha256: string, now = new Date()) {
  const id = await inTransaction(db, (trx) => scheduleRelease(trx, organisationId, sha256, now))
  return runRelease(db, blobs, { id, organisation_id: organisationId, sha256 })
}

/**
 * Finishes the releases a stopped process left (older than `staleMs`, so as not to race one still running in
 * another process). Returns how many were finished; one that fails stays for the next sweep.
 */
export async function sweepReleases(
  db: Conn,
  blobs: BlobStore,
  onError: (err: unknown) => void,
  now = new Date(),
  staleMs = STALE_RELEASE_MS,
): Promise<number> {
  const stale = await evidenceRepo.releasesBefore(db, new Date(now.getTime() - staleMs).toISOString())
  let done = 0
  for (const r of stale) {
    try {
      await runRelease(db, blobs, r)
      done++
    } catch (err) {
      onError(err)
    }
  }
  return done
}

/**
 * Before blobs were keyed by organisation, evidence files lived at `<EVIDENCE_DIR>/<assessment id>/<sha256>`.
 * They are moved (renamed, on the same disk) to their organisation's key at start-up, once: from then on one
 * layout is read, deleted and backed up, instead of every reader falling back to the old path forever. The
 * assessment→organisation mapping never changes, a rename is atomic, and a move already done is skipped, so
 * the move is safe to repeat after a crash and from two processes. Files no attached row names are left where
 * they are (and counted): nothing is deleted on the way.
 */
export async function moveLegacyEvidence(db: Conn, store: FsBlobStore): Promise<{ moved: number; left: number }> {
  let entries: import('node:fs').Dirent[]
  try {
    entries = await readdir(store.root, { withFileTypes: true })
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return { moved: 0, left: 0 }
    throw err
  }
  const legacy = new Set(entries.filter((e) => e.isDirectory() && /^[1-9][0-9]*$/.test(e.name)).map((e) => e.name))
  if (legacy.size === 0) return { moved: 0, left: 0 }
  let moved = 0
  for (const r of await evidenceRepo.evidenceOwners(db)) {
    if (!legacy.has(String(r.assessment_id))) continue
    if (await store.move(`${r.assessment_id}/${r.sha256}`, evidenceKey(r.organisation_id, r.sha256))) moved++
  }
  let left = 0
  for (const dir of legacy) {
    const rest = await readdir(join(store.root, dir)).catch(() => [])
    left += rest.length
    if (rest.length === 0) await rmdir(join(store.root, dir)).catch(() => undefined)
  }
  return { moved, left }
}
