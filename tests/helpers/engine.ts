import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { inject } from 'vitest'

/**
 * Which engine this test run is on. `FAIRHIRE_TEST_DIALECTS=sqlite,postgres` (with
 * `FAIRHIRE_TEST_POSTGRES_URL`) runs every project once per engine; vitest.config.ts gives each project its
 * engine in FAIRHIRE_TEST_DIALECT.
 */
export type TestEngine = 'sqlite' | 'postgres'

export const TEST_ENGINE: TestEngine = process.env.FAIRHIRE_TEST_DIALECT === 'postgres' ? 'postgres' : 'sqlite'
export const onPostgres = TEST_ENGINE === 'postgres'

/** Same secret in every process of a test, as several app processes on one PostgreSQL need. */
export const TEST_SESSION_SECRET = 'test-secret-shared-by-every-process-0123456789'

/** The server's address with another database in its path. */
export function urlOf(serverUrl: string, database: string): string {
  const u = new URL(serverUrl)
  u.pathname = `/${database}`
  return u.toString()
}

function psql(serverUrl: string, statement: string): void {
  execFileSync('psql', [serverUrl, '-v', 'ON_ERROR_STOP=1', '-qc', statement], { stdio: ['ignore', 'ignore', 'pipe'] })
}

/** A new, empty database on the run's server (no migrations run). */
export function createEmptyPostgres(): { url: string; drop: () => void } {
  const { serverUrl, template } = inject('templatePg')
  const name = `${template.replace(/^fairhire_tpl_/, 'fairhire_t_')}_e${randomBytes(4).toString('hex')}`
  psql(serverUrl, `create database "${name}"`)
  return {
    url: urlOf(serverUrl, name),
    drop: () => psql(serverUrl, `drop database if exists "${name}" with (force)`),
  }
}

/** A new database copied from the run's migrated template (`CREATE DATABASE … TEMPLATE …`). */
export function createPostgresCopy(): { url: string; drop: () => void } {
  const { serverUrl, template } = inject('templatePg')
  const name = `${template.replace(/^fairhire_tpl_/, 'fairhire_t_')}_${randomBytes(4).toString('hex')}`
  psql(serverUrl, `create database "${name}" template "${template}"`)
  return {
    url: urlOf(serverUrl, name),
    drop: () => psql(serverUrl, `drop database if exists "${name}" with (force)`),
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    templatePg: { serverUrl: string; template: string }
  }
}
