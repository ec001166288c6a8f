import type { Readable } from 'node:stream'

/**
 * Content stored by key, outside the database: evidence files today. Two implementations: a folder
 * (fs-blob-store.ts, the default) and an S3-compatible bucket (s3-blob-store.ts), which several app processes
 * on several machines can share. Callers name blobs by content (see evidence-blobs.ts), so a key's bytes never
 * change once written and writing the same key again is harmless.
 */
export interface BlobStore {
  readonly kind: 'fs' | 's3'
  /** Where the blobs are, for messages: the folder, or s3://bucket at the endpoint. */
  readonly where: string
  /** Stores `data` under `key`. When it returns, the blob survives a crash or power cut. */
  put(key: string, data: Buffer): Promise<void>
  /** The blob's bytes as a stream, or null when there is no such blob. */
  get(key: string): Promise<{ stream: Readable; size: number } | null>
  has(key: string): Promise<boolean>
  /** Removes the blob; no error when there is none. */
  delete(key: string): Promise<void>
  /** Renames a blob (false when `from` is not there). The old name is gone when it returns true. */
  move(from: string, to: string): Promise<boolean>
  close(): Promise<void>
}

export class BlobKeyError extends Error {
  constructor(key: string) {
    super(`not a blob key: ${JSON.stringify(key.slice(0, 200))}`)
    this.name = 'BlobKeyError'
  }
}

// Segments of letters, digits, dots, hyphens and underscores that start with a letter or digit: no empty
// segment, no `.` or `..`, no hidden name, no backslash or drive letter, so a key can never name a path outside
// the store's folder, and means the same in a folder as in a bucket.
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

/** Throws unless `key` is a safe key (see SEGMENT); returns its segments. */
export function keySegments(key: string): string[] {
  const parts = key.split('/')
  if (key.length > 512 || parts.length > 8 || !parts.every((p) => SEGMENT.test(p))) throw new BlobKeyError(key)
  return parts
}
