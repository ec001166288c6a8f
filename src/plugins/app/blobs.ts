import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { moveLegacyEvidence, sweepReleases } from '../../assessment/evidence-blobs.ts'
import type { BlobStore } from '../../blob/blob-store.ts'
import { FsBlobStore } from '../../blob/fs-blob-store.ts'
import { openBlobStore } from '../../blob/open.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Where evidence files' bytes live: a folder or an S3-compatible bucket (EVIDENCE_STORE). */
    blobs: BlobStore
  }
}

/**
 * Opens the evidence store. At start-up it moves evidence files from the layout before organisation keys
 * (folder store only) and finishes blob removals a stopped process left half-done (evidence-blobs.ts).
 */
export default fp(
  async (app: FastifyInstance) => {
    const blobs = openBlobStore(app.config.evidenceStore)
    app.decorate('blobs', blobs)
    app.addHook('onClose', async () => {
      await blobs.close()
    })
    if (blobs instanceof FsBlobStore) {
      const legacy = await moveLegacyEvidence(app.db, blobs)
      if (legacy.moved > 0)
        app.log.info({ moved: legacy.moved, dir: blobs.root }, 'evidence files moved to their organisation keys')
      if (legacy.left > 0)
        app.log.warn(
          { left: legacy.left, dir: blobs.root },
          'files in the per-assessment evidence folders that no attached evidence names were left in place',
        )
    }
    const swept = await sweepReleases(app.db, blobs, (err) =>
      app.log.error({ err }, 'could not finish removing an evidence blob; retried at the next start or deletion'),
    )
    if (swept > 0) app.log.info({ swept }, 'finished evidence blob removals left by a stopped process')
  },
  { name: 'blobs', dependencies: ['config', 'db'] },
)
