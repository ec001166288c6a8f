import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'vitest'
import { type BuildOptions, buildApp } from '../../src/app.ts'
import { type Config, loadConfig } from '../../src/config.ts'

export type TestEnv = { config: Config; dir: string; cleanup: () => void }

/** A fresh database (a copy of the migrated template) in its own temporary folder. */
export function freshEnv(env: Record<string, string> = {}): TestEnv {
  const dir = mkdtempSync(join(tmpdir(), 'fairhire-test-'))
  const databasePath = join(dir, 'test.db')
  copyFileSync(inject('templateDb'), databasePath)
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_PATH: databasePath, ...env })
  return { config, dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
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
