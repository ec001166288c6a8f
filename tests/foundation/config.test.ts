import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, parseEnv } from '../../src/config.ts'

function problems(env: Record<string, string>): string[] {
  try {
    parseEnv(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const c = parseEnv({})
    expect(c.PORT).toBe(3000)
    expect(c.HOST).toBe('127.0.0.1')
    expect(c.DATABASE_PATH).toBe('./data/fairhire.db')
    expect(c.LOG_LEVEL).toBe('info')
  })

  it('names PORT and says what is expected when it is not a port number', () => {
    expect(problems({ PORT: 'abc' })).toEqual(['PORT: expected a number from 1 to 65535'])
    expect(problems({ PORT: '70000' })).toEqual(['PORT: expected a number from 1 to 65535'])
    expect(problems({ PORT: '0' })).toEqual(['PORT: expected a number from 1 to 65535'])
  })

  it('reports one line per bad key', () => {
    const p = problems({ PORT: 'x', LOG_LEVEL: 'loud' })
    expect(p).toHaveLength(2)
    expect(p[0]).toMatch(/^PORT: /)
    expect(p[1]).toMatch(/^LOG_LEVEL: expected one of fatal, error/)
  })

  it('requires SESSION_SECRET in production', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'SESSION_SECRET: required when NODE_ENV=production (at least 32 characters)',
    ])
    expect(problems({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) })).toEqual([])
  })

  it('sends email only with a sender and a public address, and checks their form', () => {
    expect(problems({ SMTP_URL: 'smtp://mail.example.org:587' })).toEqual([
      'MAIL_FROM: required when SMTP_URL is set (the sender of invitation emails)',
      'PUBLIC_URL: required when SMTP_URL is set (the address mailed links point to)',
    ])
    expect(problems({ SMTP_URL: 'mail.example.org', PUBLIC_URL: 'https://x.example.org/app' })).toEqual([
      'SMTP_URL: expected smtp://user:password@host:port or smtps://…',
      'PUBLIC_URL: expected the address people use, such as https://fairhire.example.org (no path)',
    ])
    expect(
      problems({
        SMTP_URL: 'smtps://user:secret@mail.example.org:465',
        MAIL_FROM: 'Fairhire <no-reply@example.org>',
        PUBLIC_URL: 'https://fairhire.example.org',
      }),
    ).toEqual([])
  })

  it('chooses PostgreSQL with DATABASE_URL, and refuses it beside DATABASE_PATH, malformed, or without a shared secret', () => {
    const secret = { SESSION_SECRET: 'x'.repeat(40) }
    expect(problems({ ...secret, DATABASE_URL: 'postgres://app:pw@db.internal:5432/fairhire' })).toEqual([])
    expect(problems({ ...secret, DATABASE_URL: 'postgresql://db.internal/fairhire?sslmode=require' })).toEqual([])
    expect(
      problems({ ...secret, DATABASE_URL: 'postgres://db.internal/fairhire', DATABASE_PATH: './data/fairhire.db' }),
    ).toEqual([
      'DATABASE_URL and DATABASE_PATH are both set: set DATABASE_URL for PostgreSQL or DATABASE_PATH for SQLite, not both',
    ])
    expect(problems({ ...secret, DATABASE_URL: 'db.internal:5432' })).toEqual([
      'DATABASE_URL: is not a postgres:// address (expected postgres://user:password@host:5432/database; SQLite is chosen with DATABASE_PATH)',
    ])
    expect(problems({ ...secret, DATABASE_URL: 'not a url' })).toEqual([
      'DATABASE_URL: not an address (expected postgres://user:password@host:5432/database)',
    ])
    expect(problems({ ...secret, DATABASE_URL: 'mysql://app:pw@db/fairhire' })).toEqual([
      'DATABASE_URL: is not a postgres:// address (expected postgres://user:password@host:5432/database; SQLite is chosen with DATABASE_PATH)',
    ])
    expect(problems({ ...secret, DATABASE_URL: 'postgres://db.internal:5432/' })).toEqual([
      'DATABASE_URL: names no database (expected postgres://user:password@host:5432/database)',
    ])
    // The password in a bad address is never repeated.
    expect(problems({ ...secret, DATABASE_URL: 'postgres://app:hunter2@db.internal' }).join(' ')).not.toContain(
      'hunter2',
    )
    expect(problems({ DATABASE_URL: 'postgres://db.internal/fairhire' })).toEqual([
      'SESSION_SECRET: required with DATABASE_URL (every app process must sign sessions with the same secret; at least 32 characters)',
    ])
  })

  describe('evidence store', () => {
    const S3 = {
      EVIDENCE_STORE: 's3',
      S3_BUCKET: 'fairhire-evidence',
      S3_REGION: 'eu-west-1',
    }

    it('keeps evidence in a folder by default, and in the bucket with EVIDENCE_STORE=s3', () => {
      const fs = loadConfig({ DATABASE_PATH: ':memory:' })
      expect(fs.evidenceStore).toEqual({ kind: 'fs', dir: fs.evidenceDir })
      expect(
        loadConfig({
          DATABASE_PATH: ':memory:',
          ...S3,
          S3_ENDPOINT: 'http://127.0.0.1:9000/',
          S3_FORCE_PATH_STYLE: 'true',
        }).evidenceStore,
      ).toEqual({
        kind: 's3',
        endpoint: 'http://127.0.0.1:9000',
        bucket: 'fairhire-evidence',
        region: 'eu-west-1',
        forcePathStyle: true,
      })
      // AWS S3 itself needs no endpoint; virtual-hosted addressing is its default.
      expect(loadConfig({ DATABASE_PATH: ':memory:', ...S3 }).evidenceStore).toMatchObject({
        endpoint: null,
        forcePathStyle: false,
      })
    })

    it('names what an S3 store lacks, one line each', () => {
      expect(problems({ EVIDENCE_STORE: 's3' })).toEqual([
        'S3_BUCKET: required when EVIDENCE_STORE=s3 (the bucket that holds the evidence files)',
        'S3_REGION: required when EVIDENCE_STORE=s3 (such as eu-west-1; most S3-compatible servers take us-east-1)',
      ])
      expect(problems({ ...S3, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE' })).toEqual([
        'AWS_SECRET_ACCESS_KEY: required with AWS_ACCESS_KEY_ID (the S3 credentials go in pairs)',
      ])
      expect(problems({ ...S3, AWS_SECRET_ACCESS_KEY: 'secret' })).toEqual([
        'AWS_ACCESS_KEY_ID: required with AWS_SECRET_ACCESS_KEY (the S3 credentials go in pairs)',
      ])
      expect(problems({ ...S3, EVIDENCE_DIR: '/srv/evidence' })).toEqual([
        'EVIDENCE_DIR: set, but EVIDENCE_STORE=s3 keeps evidence files in the bucket; unset one of them',
      ])
      expect(problems({ ...S3, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' })).toEqual([])
    })

    it('checks the form of each S3 setting', () => {
      expect(
        problems({
          EVIDENCE_STORE: 'minio',
          S3_ENDPOINT: 's3.example.org',
          S3_BUCKET: 'Evidence_Bucket',
          S3_REGION: 'EU West',
          S3_FORCE_PATH_STYLE: 'yes',
        }),
      ).toEqual([
        'EVIDENCE_STORE: expected fs (a folder, the default) or s3 (a bucket)',
        "S3_ENDPOINT: expected the server's address, such as https://s3.example.org or http://127.0.0.1:9000",
        'S3_BUCKET: expected a bucket name: 3 to 63 lower-case letters, digits, dots or hyphens',
        'S3_REGION: expected a region name such as us-east-1',
        'S3_FORCE_PATH_STYLE: expected 0, 1, true or false',
      ])
      expect(problems({ ...S3, S3_ENDPOINT: 'https://s3.example.org/fairhire' })).toEqual([
        "S3_ENDPOINT: expected the server's address, such as https://s3.example.org or http://127.0.0.1:9000",
      ])
    })

    it('refuses S3 settings while the store is a folder, rather than ignore them', () => {
      expect(problems({ S3_BUCKET: 'fairhire-evidence', S3_ENDPOINT: 'https://s3.example.org' })).toEqual([
        'S3_ENDPOINT: set, but EVIDENCE_STORE is fs (set EVIDENCE_STORE=s3 to keep evidence files in the bucket)',
        'S3_BUCKET: set, but EVIDENCE_STORE is fs (set EVIDENCE_STORE=s3 to keep evidence files in the bucket)',
      ])
    })
  })

  it('treats an empty variable as unset', () => {
    expect(parseEnv({ PORT: '' }).PORT).toBe(3000)
  })
})
