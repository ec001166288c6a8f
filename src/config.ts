import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { z } from 'zod'
import { DEFAULT_QUESTIONNAIRES_DIR } from './paths.ts'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/**
 * The environment, validated once at start-up. Every key has its default here and nowhere else.
 * Messages name what is expected, because they are what an operator sees when start-up fails.
 */
export const EnvSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'], { message: 'expected development, production or test' })
    .default('development'),
  PORT: z.coerce
    .number({ message: 'expected a number from 1 to 65535' })
    .int('expected a number from 1 to 65535')
    .min(1, 'expected a number from 1 to 65535')
    .max(65535, 'expected a number from 1 to 65535')
    .default(3000),
  HOST: z.string().trim().min(1, 'expected a host name or IP address').default('127.0.0.1'),
  DATABASE_PATH: z.string().trim().min(1, 'expected a file path, or :memory:').default('./data/fairhire.db'),
  DATABASE_URL: z.string().trim().optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  SESSION_SECRET: z.string().min(32, 'expected at least 32 characters').optional(),
  QUESTIONNAIRES_DIR: z.string().trim().min(1).optional(),
  EVIDENCE_DIR: z.string().trim().min(1).optional(),
  EVIDENCE_STORE: z
    .enum(['fs', 's3'], { message: 'expected fs (a folder, the default) or s3 (a bucket)' })
    .default('fs'),
  S3_ENDPOINT: z
    .string()
    .trim()
    .regex(
      /^https?:\/\/[^\s/]+\/?$/,
      "expected the server's address, such as https://s3.example.org or http://127.0.0.1:9000",
    )
    .optional(),
  S3_BUCKET: z
    .string()
    .trim()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      'expected a bucket name: 3 to 63 lower-case letters, digits, dots or hyphens',
    )
    .optional(),
  S3_REGION: z
    .string()
    .trim()
    .regex(/^[a-z0-9-]+$/, 'expected a region name such as us-east-1')
    .optional(),
  S3_FORCE_PATH_STYLE: z
    .enum(['0', '1', 'true', 'false'], { message: 'expected 0, 1, true or false' })
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  SMTP_URL: z
    .string()
    .trim()
    .regex(/^smtps?:\/\/[^\s]+$/, 'expected smtp://user:password@host:port or smtps://…')
    .optional(),
  MAIL_FROM: z.string().trim().min(3, 'expected a sender such as "Fairhire <no-reply@example.org>"').optional(),
  PUBLIC_URL: z
    .string()
    .trim()
    .regex(/^https?:\/\/[^\s/]+$/, 'expected the address people use, such as https://fairhire.example.org (no path)')
    .optional(),
  JOBS: z
    .enum(['on', 'off'], { message: 'expected on or off' })
    .default('on')
    .transform((v) => v === 'on'),
  EXPORTS_DIR: z.string().trim().min(1).optional(),
  EXPORT_RETENTION_HOURS: z.coerce
    .number({ message: 'expected a number of hours greater than 0, such as 24' })
    .positive('expected a number of hours greater than 0, such as 24')
    .max(24 * 365, 'expected at most 8760 hours (a year)')
    .default(24),
  LOG_SQL: z
    .enum(['0', '1', 'true', 'false'], { message: 'expected 0, 1, true or false' })
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
})

/**
 * Where evidence files live: a folder (the default) or an S3-compatible bucket, which several app processes
 * on several machines can share. The S3 credentials are not here: the AWS SDK reads them from its usual
 * environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), profile or instance role.
 */
export type EvidenceStoreTarget =
  | { kind: 'fs'; dir: string }
  | { kind: 's3'; endpoint: string | null; bucket: string; region: string; forcePathStyle: boolean }

/** Where the data lives: an SQLite file (the embedded default) or a PostgreSQL server. */
export type DatabaseTarget = { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string }

export type Config = Readonly<{
  env: 'development' | 'production' | 'test'
  port: number
  host: string
  database: DatabaseTarget
  /** The SQLite file (or :memory:); empty on PostgreSQL. */
  databasePath: string
  logLevel: (typeof LOG_LEVELS)[number]
  sessionSecret: string
  questionnairesDir: string
  /** Uploaded evidence, outside the web root; beside the database by default. Unused with an S3 store. */
  evidenceDir: string
  evidenceStore: EvidenceStoreTarget
  logSql: boolean
  /** Whether this process runs background jobs (it queues them either way). */
  jobs: { enabled: boolean }
  /** Files made by background jobs (portfolio exports), for this account only; beside the database by default. */
  exportsDir: string
  /** How long a finished export can be downloaded before its file is deleted. */
  exportRetentionHours: number
  /** Invitations are emailed when set; otherwise the inviter is shown the link to send. */
  mail: { smtpUrl: string; from: string } | null
  /** The address people use to reach the server, for links in emails. */
  publicUrl: string | null
}>

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

/** Parses the environment without touching the disk, so a bad value fails before anything is created. */
export function parseEnv(env: NodeJS.ProcessEnv): z.infer<typeof EnvSchema> {
  // Empty variables are treated as unset, which is what `PORT= npm start` means to most people.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const result = EnvSchema.safeParse(cleaned)
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(problems)
  }
  if (result.data.DATABASE_URL !== undefined) {
    if (cleaned.DATABASE_PATH !== undefined)
      throw new ConfigError([
        'DATABASE_URL and DATABASE_PATH are both set: set DATABASE_URL for PostgreSQL or DATABASE_PATH for SQLite, not both',
      ])
    const problem = postgresUrlProblem(result.data.DATABASE_URL)
    if (problem) throw new ConfigError([`DATABASE_URL: ${problem}`])
    if (!result.data.SESSION_SECRET)
      throw new ConfigError([
        'SESSION_SECRET: required with DATABASE_URL (every app process must sign sessions with the same secret; at least 32 characters)',
      ])
  }
  if (result.data.NODE_ENV === 'production' && !result.data.SESSION_SECRET) {
    throw new ConfigError(['SESSION_SECRET: required when NODE_ENV=production (at least 32 characters)'])
  }
  const s3Problems = evidenceStoreProblems(result.data, env)
  if (s3Problems.length > 0) throw new ConfigError(s3Problems)
  if (result.data.SMTP_URL) {
    // Mailed links must not be built from the request's Host header, which a caller chooses.
    const missing = [
      !result.data.MAIL_FROM && 'MAIL_FROM: required when SMTP_URL is set (the sender of invitation emails)',
      !result.data.PUBLIC_URL && 'PUBLIC_URL: required when SMTP_URL is set (the address mailed links point to)',
    ].filter((x): x is string => Boolean(x))
    if (missing.length > 0) throw new ConfigError(missing)
  }
  return result.data
}

/**
 * An S3 store needs a bucket and a region; S3 settings without EVIDENCE_STORE=s3 are refused rather than
 * ignored, since then every app process would quietly keep its uploads on its own disk.
 */
function evidenceStoreProblems(e: z.infer<typeof EnvSchema>, env: NodeJS.ProcessEnv): string[] {
  const set = (k: string) => env[k] !== undefined && env[k] !== ''
  const s3Vars = ['S3_ENDPOINT', 'S3_BUCKET', 'S3_REGION', 'S3_FORCE_PATH_STYLE'] as const
  if (e.EVIDENCE_STORE === 'fs')
    return s3Vars
      .filter(set)
      .map((k) => `${k}: set, but EVIDENCE_STORE is fs (set EVIDENCE_STORE=s3 to keep evidence files in the bucket)`)
  const problems: string[] = []
  if (!e.S3_BUCKET)
    problems.push('S3_BUCKET: required when EVIDENCE_STORE=s3 (the bucket that holds the evidence files)')
  if (!e.S3_REGION)
    problems.push(
      'S3_REGION: required when EVIDENCE_STORE=s3 (such as eu-west-1; most S3-compatible servers take us-east-1)',
    )
  if (set('EVIDENCE_DIR'))
    problems.push('EVIDENCE_DIR: set, but EVIDENCE_STORE=s3 keeps evidence files in the bucket; unset one of them')
  // The SDK would otherwise skip a half-set pair and sign with some other credentials it finds.
  const keyId = set('AWS_ACCESS_KEY_ID')
  const secret = set('AWS_SECRET_ACCESS_KEY')
  if (keyId !== secret)
    problems.push(
      keyId
        ? 'AWS_SECRET_ACCESS_KEY: required with AWS_ACCESS_KEY_ID (the S3 credentials go in pairs)'
        : 'AWS_ACCESS_KEY_ID: required with AWS_SECRET_ACCESS_KEY (the S3 credentials go in pairs)',
    )
  return problems
}

/** The database as a message may name it: the file, or the server and database without the password. */
export function describeDatabase(target: DatabaseTarget): string {
  if (target.engine === 'sqlite') return target.path
  const u = new URL(target.url)
  return `postgres://${u.host}${u.pathname}`
}

/** Why a PostgreSQL address cannot be used, or null. The password is never repeated in the message. */
export function postgresUrlProblem(url: string): string | null {
  const expected = 'expected postgres://user:password@host:5432/database'
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return `not an address (${expected})`
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    return `is not a postgres:// address (${expected}; SQLite is chosen with DATABASE_PATH)`
  if (!u.hostname) return `names no host (${expected})`
  if (u.pathname.length <= 1) return `names no database (${expected})`
  return null
}

/**
 * Outside production the session secret is generated once and kept beside the database, so that
 * restarting the server does not log everyone out. An in-memory database gets a throw-away secret.
 */
function resolveSessionSecret(databasePath: string, given: string | undefined): string {
  if (given) return given
  if (databasePath === ':memory:') return randomBytes(32).toString('hex')
  const file = join(dirname(databasePath), '.session-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  const secret = randomBytes(32).toString('hex')
  writeFileSync(file, secret, { mode: 0o600 })
  return secret
}

function evidenceStore(e: z.infer<typeof EnvSchema>, dir: string): EvidenceStoreTarget {
  if (e.EVIDENCE_STORE === 'fs') return { kind: 'fs', dir }
  return {
    kind: 's3',
    endpoint: e.S3_ENDPOINT?.replace(/\/$/, '') ?? null,
    // Present: parseEnv refused the configuration otherwise.
    bucket: e.S3_BUCKET as string,
    region: e.S3_REGION as string,
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
  }
}

/** Validates the environment, then prepares the data folder. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(env)
  const postgresUrl = e.DATABASE_URL
  const path = e.DATABASE_PATH
  const databasePath = postgresUrl ? '' : path === ':memory:' ? ':memory:' : resolve(path)
  // 0700: the folder holds the database, the session secret and the evidence files, none for other accounts.
  if (databasePath !== ':memory:' && databasePath !== '')
    mkdirSync(dirname(databasePath), { recursive: true, mode: 0o700 })
  const database: DatabaseTarget = postgresUrl
    ? { engine: 'postgres', url: postgresUrl }
    : { engine: 'sqlite', path: databasePath }
  const evidenceDir = e.EVIDENCE_DIR
    ? resolve(e.EVIDENCE_DIR)
    : databasePath === ':memory:'
      ? join(tmpdir(), `fairhire-evidence-${process.pid}`)
      : databasePath === ''
        ? resolve('./data/evidence')
        : join(dirname(databasePath), 'evidence')
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    database,
    databasePath,
    logLevel: e.LOG_LEVEL,
    // With DATABASE_URL the secret is required (parseEnv), so the path is never used there.
    sessionSecret: resolveSessionSecret(databasePath, e.SESSION_SECRET),
    questionnairesDir: e.QUESTIONNAIRES_DIR ? resolve(e.QUESTIONNAIRES_DIR) : DEFAULT_QUESTIONNAIRES_DIR,
    evidenceDir,
    evidenceStore: evidenceStore(e, evidenceDir),
    logSql: e.LOG_SQL,
    jobs: { enabled: e.JOBS },
    exportsDir: e.EXPORTS_DIR
      ? resolve(e.EXPORTS_DIR)
      : databasePath === ':memory:'
        ? join(tmpdir(), `fairhire-exports-${process.pid}`)
        : databasePath === ''
          ? resolve('./data/exports')
          : join(dirname(databasePath), 'exports'),
    exportRetentionHours: e.EXPORT_RETENTION_HOURS,
    mail: e.SMTP_URL && e.MAIL_FROM ? { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM } : null,
    publicUrl: e.PUBLIC_URL ?? null,
  })
}
