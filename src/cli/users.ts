import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { AccessError } from '../access/access-error.ts'
import { createAdminWithOrganisation } from '../access/organisation.service.ts'
import { type Command, UsageError } from './command.ts'
import { withDatabase } from './db-context.ts'

export const createAdminCommand: Command = {
  name: 'users create-admin',
  summary:
    'create an organisation and its first administrator (password from --password-stdin or FAIRHIRE_ADMIN_PASSWORD)',
  usage:
    'fairhire users create-admin --organisation <name> --kind brand|supplier|recruiter --email <email> --name <name> [--password-stdin]',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        organisation: { type: 'string' },
        kind: { type: 'string', default: 'brand' },
        email: { type: 'string' },
        name: { type: 'string' },
        'password-stdin': { type: 'boolean', default: false },
      },
    })
    if (!values.organisation || !values.email || !values.name)
      throw new UsageError('--organisation, --email and --name are required')
    if (!['brand', 'supplier', 'recruiter'].includes(values.kind as string))
      throw new UsageError('--kind is brand, supplier or recruiter')
    // Never from a command-line argument: it would stay in the shell history and the process list.
    const password = values['password-stdin']
      ? (readFileSync(0, 'utf8').split('\n')[0] ?? '')
      : (process.env.FAIRHIRE_ADMIN_PASSWORD ?? '')
    if (!password)
      throw new UsageError('give the password on standard input with --password-stdin, or in FAIRHIRE_ADMIN_PASSWORD')
    return withDatabase(async (db) => {
      try {
        const r = await createAdminWithOrganisation(db, {
          organisation: {
            kind: values.kind as 'brand' | 'supplier' | 'recruiter',
            name: values.organisation as string,
          },
          email: values.email as string,
          name: values.name as string,
          password,
        })
        process.stdout.write(`created organisation ${r.organisationId} and administrator ${values.email}\n`)
        return 0
      } catch (err) {
        if (err instanceof AccessError) {
          process.stderr.write(`fairhire: ${err.field ? `${err.field}: ` : ''}${err.message}\n`)
          return 2
        }
        throw err
      }
    })
  },
}
