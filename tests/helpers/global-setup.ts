import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { createDb, openDatabase } from '../../src/db/connection.ts'
import { migrateToLatest } from '../../src/db/migrator.ts'
import { urlOf } from './engine.ts'

/**
 * Migrates one template database per run and engine; each test copies it, which is much faster than
 * migrating. On PostgreSQL the template is a database on the server FAIRHIRE_TEST_POSTGRES_URL names, and
 * the copies of this run are dropped at the end (those a killed test left behind included).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'fairhire-template-'))
  const file = join(dir, 'template.db')
  const { db, sqlite } = createDb(file)
  await migrateToLatest(db)
  // Fold the WAL into the main file so a plain file copy holds everything.
  sqlite.pragma('wal_checkpoint(TRUNCATE)')
  await db.destroy()
  project.provide('templateDb', file)
  let dropPostgres = async () => {}
  if (project.config.env?.FAIRHIRE_TEST_DIALECT === 'postgres') {
    const serverUrl = process.env.FAIRHIRE_TEST_POSTGRES_URL
    if (!serverUrl)
      throw new Error(
        'FAIRHIRE_TEST_DIALECTS names postgres: set FAIRHIRE_TEST_POSTGRES_URL to a server the tests may create databases on, such as postgres://postgres@127.0.0.1:5432/postgres',
      )
    const run = `${process.pid}_${Date.now().toString(36)}`
    const template = `fairhire_tpl_${run}_${project.name.replace(/\W/g, '_')}`
    const admin = (statement: string) =>
      execFileSync('psql', [serverUrl, '-v', 'ON_ERROR_STOP=1', '-qtAc', statement], { encoding: 'utf8' })
    admin(`create database "${template}"`)
    const pg = openDatabase({ engine: 'postgres', url: urlOf(serverUrl, template) })
    try {
      await migrateToLatest(pg.db)
    } finally {
      await pg.destroy()
    }
    project.provide('templatePg', { serverUrl, template })
    dropPostgres = async () => {
      const copies = admin(
        `select datname from pg_database where datname like '${template.replace(/^fairhire_tpl_/, 'fairhire_t_')}%'`,
      )
      for (const name of copies.split('\n').filter(Boolean)) admin(`drop database if exists "${name}" with (force)`)
      admin(`drop database if exists "${template}" with (force)`)
    }
  }
  return async () => {
    rmSync(dir, { recursive: true, force: true })
    await dropPostgres()
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string
  }
}
