import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * A real S3-compatible server for the tests: S3rver (the maintained @20minutes fork of jamhall/s3rver, from
 * the npm registry), which speaks the S3 REST API over HTTP, checks SigV4 signatures against its one key pair
 * and keeps objects in a folder. Started in the test process on 127.0.0.1, on a port the system picks, with
 * one empty bucket; `env` points the app (or a spawned command) at it.
 */

type S3rverOptions = {
  address: string
  port: number
  silent: boolean
  directory: string
  configureBuckets: { name: string }[]
}
type S3rverInstance = { run(): Promise<AddressInfo>; close(): Promise<void> }

const S3rver = createRequire(import.meta.url)('@20minutes/s3rver') as new (o: S3rverOptions) => S3rverInstance

/** S3rver's fixed credentials: the app signs with them and the server checks the signature. */
export const S3_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' }

export type TestS3 = {
  endpoint: string
  bucket: string
  /** EVIDENCE_STORE=s3 and the S3_* settings, with the credentials. */
  env: Record<string, string>
  close: () => Promise<void>
}

export async function startS3(bucket = 'fairhire-evidence'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'fairhire-s3-'))
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  })
  const { port } = await server.run()
  const endpoint = `http://127.0.0.1:${port}`
  // The SDK reads its credentials from the environment, as in production.
  Object.assign(process.env, S3_CREDENTIALS)
  return {
    endpoint,
    bucket,
    env: {
      EVIDENCE_STORE: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: '1',
      // freshEnv sets a folder on PostgreSQL; the S3 store refuses one.
      EVIDENCE_DIR: '',
      ...S3_CREDENTIALS,
    },
    async close() {
      await server.close()
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
