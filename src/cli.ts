import { backupCommand, restoreCommand } from './cli/backup.ts'
import type { Command } from './cli/command.ts'
import { UsageError } from './cli/command.ts'
import { demoSeedCommand } from './cli/demo.ts'
import { exportGapReportCommand, exportPortfolioCommand } from './cli/export.ts'
import { jobsListCommand } from './cli/jobs.ts'
import { migrateCommand } from './cli/migrate.ts'
import { migrateDataCommand } from './cli/migrate-data.ts'
import { operatorsGrantCommand, operatorsListCommand, operatorsRevokeCommand } from './cli/operators.ts'
import { lintCommand, showCommand } from './cli/questionnaires.ts'
import { rescoreCommand } from './cli/rescore.ts'
import { rubricImportCommand, rubricListCommand, rubricShowCommand } from './cli/rubric.ts'
import { scoreCommand } from './cli/score.ts'
import { createAdminCommand } from './cli/users.ts'
import { ConfigError } from './config.ts'

const commands: Command[] = [
  migrateCommand,
  lintCommand,
  showCommand,
  scoreCommand,
  rubricImportCommand,
  rubricListCommand,
  rubricShowCommand,
  rescoreCommand,
  jobsListCommand,
  createAdminCommand,
  operatorsListCommand,
  operatorsGrantCommand,
  operatorsRevokeCommand,
  demoSeedCommand,
  exportGapReportCommand,
  exportPortfolioCommand,
  backupCommand,
  restoreCommand,
  migrateDataCommand,
]

function help(): string {
  const width = Math.max(...commands.map((c) => c.usage.length))
  return [
    'Usage: fairhire <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'The tool reads the same environment variables as the server (DATABASE_PATH, QUESTIONNAIRES_DIR, …).',
    '',
  ].join('\n')
}

/** Finds the command whose name matches the leading words ("questionnaires lint" before "questionnaires"). */
function resolve(argv: string[]): { command: Command; rest: string[] } | undefined {
  const sorted = [...commands].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length)
  for (const command of sorted) {
    const words = command.name.split(' ')
    if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) }
  }
  return undefined
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(help())
    return argv.length === 0 ? 2 : 0
  }
  const found = resolve(argv)
  if (!found) {
    process.stderr.write(`fairhire: unknown command "${argv.join(' ')}"\n\n${help()}`)
    return 2
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    process.stdout.write(`Usage: ${found.command.usage}\n  ${found.command.summary}\n`)
    return 0
  }
  try {
    return await found.command.run(found.rest)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`fairhire: ${err.message}\n`)
      return 2
    }
    if (
      err instanceof UsageError ||
      (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      process.stderr.write(`fairhire: ${err.message}\nUsage: ${found.command.usage}\n`)
      return 2
    }
    process.stderr.write(`fairhire: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
}

// A closed pipe (`fairhire … | head`) is not an error of the tool.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw err
})
// Backups, restored databases and exports hold personal data: created for this account only.
process.umask(0o077)
process.exitCode = await main(process.argv.slice(2))
