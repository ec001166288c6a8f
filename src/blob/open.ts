import type { EvidenceStoreTarget } from '../config.ts'
import type { BlobStore } from './blob-store.ts'
import { FsBlobStore } from './fs-blob-store.ts'
import { S3BlobStore } from './s3-blob-store.ts'

/** The store config.ts chose: EVIDENCE_STORE=fs (EVIDENCE_DIR) or s3 (S3_*). */
export function openBlobStore(target: EvidenceStoreTarget): BlobStore {
  return target.kind === 'fs' ? new FsBlobStore(target.dir) : new S3BlobStore(target)
}
