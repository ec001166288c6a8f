import { parseArgs } from 'node:util'
import { checkRubricAgainst, loadRubricFile, RubricError } from '../scoring/rubric.loader.ts'
import { getRubricVersion, listRubrics, RubricNotFound, storeRubric } from '../scoring/rubric.service.ts'
import { type Command, UsageError } from './command.ts'
import { withDatabase } from './db-context.ts'

export const rubricImportCommand: Command = {
  name: 'rubric import',
  summary: 'store a rubric file as a new immutable version and make it current for its id',
  usage: 'fairhire rubric import <file>',
  async run(args) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} })
    const file = positionals[0]
    if (!file) throw new UsageError('which rubric file? e.g. fairhire rubric import my-rubric.yaml')
    return withDatabase(async (db, { questionnaires }) => {
      try {
        const rubric = loadRubricFile(file)
        const problems = checkRubricAgainst(rubric, questionnaires)
        if (problems.length > 0) throw new RubricError(file, problems)
        const stored = await storeRubric(db, rubric, `import:${file.split('/').slice(-1)[0]}`, 'always')
        process.stdout.write(
          stored.created
            ? `stored rubric ${stored.id} revision ${stored.revision}; it is now the current ${stored.id} rubric\n`
            : `rubric ${stored.id} revision ${stored.revision} already holds exactly this content; it is now current\n`,
        )
        if (stored.rescoreJobId !== null)
          process.stdout.write(
            `stored scores made with the previous version will be re-scored in the background (job ${stored.rescoreJobId}); a running server does it, or run "fairhire rescore" to do it now\n`,
          )
        return 0
      } catch (err) {
        if (err instanceof RubricError) {
          process.stderr.write(`fairhire: ${err.message}\n`)
          return 2
        }
        throw err
      }
    })
  },
}

export const rubricListCommand: Command = {
  name: 'rubric list',
  summary: 'list stored rubric versions',
  usage: 'fairhire rubric list',
  async run() {
    return withDatabase(async (db) => {
      for (const r of await listRubrics(db)) {
        process.stdout.write(
          `${r.current_of ? '*' : ' '} ${r.rubric_id}@${r.revision}  ${r.declared_version}  ${r.content_hash.slice(0, 12)}  ${r.origin}  ${r.created_at}\n`,
        )
      }
      return 0
    })
  },
}

export const rubricShowCommand: Command = {
  name: 'rubric show',
  summary: 'print a rubric version as JSON, ready to edit and import as a derived rubric',
  usage: 'fairhire rubric show [id[@revision]]',
  async run(args) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} })
    return withDatabase(async (db) => {
      try {
        const v = await getRubricVersion(db, positionals[0])
        process.stdout.write(`${JSON.stringify(v.rubric, null, 2)}\n`)
        return 0
      } catch (err) {
        if (err instanceof RubricNotFound) {
          process.stderr.write(`fairhire: ${err.message}\n`)
          return 1
        }
        throw err
      }
    })
  },
}
