import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { createDb } from '../../src/db/connection.ts'
import { migrateToLatest } from '../../src/db/migrator.ts'

/** Migrates one template database per run; each test copies it, which is much faster than migrating. */
export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'fairhire-template-'))
  const file = join(dir, 'template.db')
  const { db, sqlite } = createDb(file)
  await migrateToLatest(db)
  // Fold the WAL into the main file so a plain file copy holds everything.
  sqlite.pragma('wal_checkpoint(TRUNCATE)')
  await db.destroy()
  project.provide('templateDb', file)
  return () => rmSync(dir, { recursive: true, force: true })
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string
  }
}
