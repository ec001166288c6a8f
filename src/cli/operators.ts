import { parseArgs } from 'node:util'
import { AccessError } from '../access/access-error.ts'
import { listOperators, setOperator } from '../access/operator.service.ts'
import { type Command, UsageError } from './command.ts'
import { withDatabase } from './db-context.ts'

/**
 * Platform operators (access/operator.service.ts): the people who may re-score every tenant's scores from the app
 * and read what that changed. Only here, on the command line, can someone be made one: whoever runs the server
 * decides, never an organisation's administrator.
 */

function grantOrRevoke(operator: boolean): Command {
  const verb = operator ? 'grant' : 'revoke'
  return {
    name: `operators ${verb}`,
    summary: operator
      ? 'make a person (by the email address of their account) a platform operator: they may re-score every tenant at /operator/rescore'
      : 'take the platform operator grant back from a person',
    usage: `fairhire operators ${verb} --email <email>`,
    async run(args) {
      const { values } = parseArgs({ args, options: { email: { type: 'string' } } })
      if (!values.email) throw new UsageError('--email is required: the email address of the account')
      const asked = values.email
      return withDatabase(async (db) => {
        try {
          const { changed, email } = await setOperator(db, asked, operator)
          process.stdout.write(
            operator
              ? changed
                ? `${email} is now a platform operator (pages under /operator)\n`
                : `${email} was already a platform operator\n`
              : changed
                ? `${email} is no longer a platform operator\n`
                : `${email} was not a platform operator\n`,
          )
          return 0
        } catch (err) {
          if (err instanceof AccessError) {
            process.stderr.write(`fairhire: ${err.field ? `--${err.field}: ` : ''}${err.message}\n`)
            return 2
          }
          throw err
        }
      })
    },
  }
}

export const operatorsGrantCommand = grantOrRevoke(true)
export const operatorsRevokeCommand = grantOrRevoke(false)

export const operatorsListCommand: Command = {
  name: 'operators list',
  summary: 'list the platform operators',
  usage: 'fairhire operators list',
  async run(args) {
    parseArgs({ args, options: {} })
    return withDatabase(async (db) => {
      const rows = await listOperators(db)
      if (rows.length === 0) process.stdout.write('no platform operators\n')
      for (const r of rows)
        process.stdout.write(
          `${r.email}  ${r.name}  (${r.organisation})  since ${r.granted_at}${r.disabled_at ? '  account disabled' : ''}\n`,
        )
      return 0
    })
  },
}
