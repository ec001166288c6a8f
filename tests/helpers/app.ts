import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'vitest'
import { type BuildOptions, buildApp } from '../../src/app.ts'
import { type Config, loadConfig } from '../../src/config.ts'
import { createPostgresCopy, onPostgres, TEST_SESSION_SECRET } from './engine.ts'

export type TestEnv = {
  config: Config
  dir: string
  /** The environment variables that point a spawned server or command at this database. */
  vars: Record<string, string>
  cleanup: () => void
}

/**
 * A fresh database in its own temporary folder: on SQLite a copy of the migrated template file, on
 * PostgreSQL a database made from the run's template database.
 */
export function freshEnv(env: Record<string, string> = {}): TestEnv {
  const dir = mkdtempSync(join(tmpdir(), 'fairhire-test-'))
  let vars: Record<string, string>
  let drop = () => {}
  if (onPostgres) {
    const copy = createPostgresCopy()
    drop = copy.drop
    vars = {
      DATABASE_URL: copy.url,
      SESSION_SECRET: TEST_SESSION_SECRET,
      EVIDENCE_DIR: join(dir, 'evidence'),
      EXPORTS_DIR: join(dir, 'exports'),
    }
  } else {
    const databasePath = join(dir, 'test.db')
    copyFileSync(inject('templateDb'), databasePath)
    vars = { DATABASE_PATH: databasePath }
  }
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', ...vars, ...env })
  return {
    config,
    dir,
    vars,
    cleanup: () => {
      drop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Builds the app on a fresh database; close it with `await app.close(); env.cleanup()`. */
export async function testApp(env: Record<string, string> = {}, options: BuildOptions = {}) {
  const e = freshEnv(env)
  const app = await buildApp(e.config, { logger: false, ...options })
  return {
    app,
    env: e,
    async close() {
      await app.close()
      e.cleanup()
    },
  }
}
