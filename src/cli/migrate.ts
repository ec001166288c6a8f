import { parseArgs } from 'node:util'
import { describeDatabase, loadConfig } from '../config.ts'
import { openDatabase } from '../db/connection.ts'
import { migrateDown, migrateToLatest } from '../db/migrator.ts'
import type { Command } from './command.ts'

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'bring the database to the latest schema (or one step down with --down)',
  usage: 'fairhire migrate [--down]',
  async run(args) {
    const { values } = parseArgs({ args, options: { down: { type: 'boolean', default: false } } })
    const config = loadConfig()
    const { db } = openDatabase(config.database)
    try {
      const names = values.down ? await migrateDown(db) : await migrateToLatest(db)
      const verb = values.down ? 'reverted' : 'applied'
      process.stdout.write(
        names.length === 0
          ? `database ${describeDatabase(config.database)} is up to date\n`
          : `${verb} ${names.length} migration(s) on ${describeDatabase(config.database)}:\n${names.map((n) => `  ${n}`).join('\n')}\n`,
      )
      return 0
    } finally {
      await db.destroy()
    }
  },
}
