import { parseArgs } from 'node:util'
import { userCount } from '../access/person.service.ts'
import { DEMO_LOGINS, DEMO_ORGANISATIONS, DEMO_PASSWORD, seedDemo } from '../demo/seed.ts'
import { type Command, UsageError } from './command.ts'
import { withDatabase } from './db-context.ts'

/**
 * Progress of a long seed on one updating line of stderr, only when stderr is a terminal (a log or a pipe
 * gets nothing). Kept here until the shared CLI progress reporter (src/cli/progress.ts) exists.
 */
function progressLine(label: string): ((done: number, total: number) => void) & { end: () => void } {
  const tty = process.stderr.isTTY === true
  const start = Date.now()
  let shown = false
  const report = (done: number, total: number) => {
    if (!tty) return
    const seconds = (Date.now() - start) / 1000
    const rate = seconds > 0 ? done / seconds : 0
    const left = rate > 0 ? Math.ceil((total - done) / rate) : 0
    process.stderr.write(
      `\r${label}: ${done.toLocaleString('en')} of ${total.toLocaleString('en')} (${Math.round(rate)}/s, about ${left} s left)\u001b[K`,
    )
    shown = true
  }
  report.end = () => {
    if (shown) process.stderr.write('\n')
  }
  return report
}

export const demoSeedCommand: Command = {
  name: 'demo seed',
  summary:
    'fill an empty database with a believable demo (one brand, twelve suppliers, two recruiters); --suppliers N generates more, up to N in all',
  usage: 'fairhire demo seed [--if-empty] [--suppliers <N>]',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { 'if-empty': { type: 'boolean', default: false }, suppliers: { type: 'string' } },
    })
    let suppliers: number | undefined
    if (values.suppliers !== undefined) {
      suppliers = Number(values.suppliers)
      if (!/^\d+$/.test(values.suppliers) || suppliers < DEMO_ORGANISATIONS || suppliers > 1_000_000)
        throw new UsageError(
          `--suppliers must be a whole number from ${DEMO_ORGANISATIONS} (the demo's own suppliers and recruiters) to 1000000`,
        )
    }
    return withDatabase(async (db) => {
      if ((await userCount(db)) > 0) {
        if (values['if-empty']) {
          process.stdout.write('the demo database is already filled\n')
          return 0
        }
        process.stderr.write('fairhire: the database already has people in it; the demo fills only an empty database\n')
        return 1
      }
      const progress = progressLine('generated suppliers')
      const r = await seedDemo(db, undefined, { suppliers, onProgress: progress })
      progress.end()
      process.stdout.write(
        `demo ready: ${r.suppliers} suppliers and recruiters, ${r.assessments} assessments. Sign in with password "${DEMO_PASSWORD}" as:\n`,
      )
      for (const l of DEMO_LOGINS) process.stdout.write(`  ${l.email.padEnd(34)} ${l.role}\n`)
      return 0
    })
  },
}
