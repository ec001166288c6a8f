import { parseArgs } from 'node:util'
import { loadConfig } from '../config.ts'
import { createDb } from '../db/connection.ts'
import { migrateDown, migrateToLatest } from '../db/migrator.ts'
import type { Command } from './command.ts'

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'bring the database to the latest schema (or one step down with --down)',
  usage: 'fairhire migrate [--down]',
  async run(args) {
    const { values } = parseArgs({ args, options: { down: { type: 'boolean', default: false } } })
    const config = loadConfig()
    const { db } = createDb(config.databasePath)
    try {
      const names = values.down ? await migrateDown(db) : await migrateToLatest(db)
      const verb = values.down ? 'reverted' : 'applied'
      process.stdout.write(
        names.length === 0
          ? `database ${config.databasePath} is up to date\n`
          : `${verb} ${names.length} migration(s) on ${config.databasePath}:\n${names.map((n) => `  ${n}`).join('\n')}\n`,
      )
      return 0
    } finally {
      await db.destroy()
    }
  },
}
