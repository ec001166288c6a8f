import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { type BlobStore, keySegments } from './blob-store.ts'

export type S3Settings = { endpoint: string | null; bucket: string; region: string; forcePathStyle: boolean }

const isNotFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } }
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404
}

/**
 * Blobs as objects in one S3 bucket (AWS S3 or any S3-compatible server), under the same keys as the folder
 * store. Credentials come from the SDK's usual chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile
 * or an instance role. The bucket should not be public: downloads go through the app, after its access check.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3'
  private readonly client: S3Client

  constructor(private readonly s3: S3Settings) {
    this.client = new S3Client({
      region: s3.region,
      ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
      forcePathStyle: s3.forcePathStyle,
      // The SDK's default adds CRC checksums in a form many S3-compatible servers do not read yet; put() sends
      // Content-MD5 instead, which S3 and those servers check.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
  }

  get where(): string {
    return `s3://${this.s3.bucket}${this.s3.endpoint ? ` at ${this.s3.endpoint}` : ''}`
  }

  /** S3 answers a PUT only once the object is stored durably, so a return here is durable. */
  async put(key: string, data: Buffer): Promise<void> {
    keySegments(key)
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.s3.bucket,
        Key: key,
        Body: data,
        ContentLength: data.length,
        ContentMD5: createHash('md5').update(data).digest('base64'),
        ContentType: 'application/octet-stream',
      }),
    )
  }

  async get(key: string): Promise<{ stream: Readable; size: number } | null> {
    keySegments(key)
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.s3.bucket, Key: key }))
      const body = res.Body
      if (!(body instanceof Readable)) throw new Error(`s3 GetObject ${key}: no readable body`)
      return { stream: body, size: res.ContentLength ?? 0 }
    } catch (err) {
      if (isNotFound(err)) return null
      throw err
    }
  }

  async has(key: string): Promise<boolean> {
    keySegments(key)
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.s3.bucket, Key: key }))
      return true
    } catch (err) {
      if (isNotFound(err)) return false
      throw err
    }
  }

  async delete(key: string): Promise<void> {
    keySegments(key)
    await this.client.send(new DeleteObjectCommand({ Bucket: this.s3.bucket, Key: key }))
  }

  /** S3 has no rename: a server-side copy, then the delete. Between the two both names hold the bytes. */
  async move(from: string, to: string): Promise<boolean> {
    keySegments(from)
    keySegments(to)
    try {
      // Keys are plain ASCII (keySegments), so the copy source needs no escaping.
      await this.client.send(
        new CopyObjectCommand({ Bucket: this.s3.bucket, Key: to, CopySource: `${this.s3.bucket}/${from}` }),
      )
    } catch (err) {
      if (isNotFound(err)) return false
      throw err
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.s3.bucket, Key: from }))
    return true
  }

  async close(): Promise<void> {
    this.client.destroy()
  }
}
