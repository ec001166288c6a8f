import { parseArgs } from 'node:util'
import { userCount } from '../access/person.service.ts'
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemo } from '../demo/seed.ts'
import type { Command } from './command.ts'
import { withDatabase } from './db-context.ts'

export const demoSeedCommand: Command = {
  name: 'demo seed',
  summary: 'fill an empty database with a believable demo (one brand, twelve suppliers, two recruiters)',
  usage: 'fairhire demo seed [--if-empty]',
  async run(args) {
    const { values } = parseArgs({ args, options: { 'if-empty': { type: 'boolean', default: false } } })
    return withDatabase(async (db) => {
      if ((await userCount(db)) > 0) {
        if (values['if-empty']) {
          process.stdout.write('the demo database is already filled\n')
          return 0
        }
        process.stderr.write('fairhire: the database already has people in it; the demo fills only an empty database\n')
        return 1
      }
      const r = await seedDemo(db)
      process.stdout.write(`demo ready: ${r.assessments} assessments. Sign in with password "${DEMO_PASSWORD}" as:\n`)
      for (const l of DEMO_LOGINS) process.stdout.write(`  ${l.email.padEnd(34)} ${l.role}\n`)
      return 0
    })
  },
}
