import { statSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadConfig } from '../config.ts'
import { formatFinding, loadQuestionnaireFile, questionnaireFiles } from '../questionnaire/loader.ts'
import { getQuestionnaireVersion, VersionNotFound } from '../questionnaire/questionnaire.service.ts'
import { type Command, UsageError } from './command.ts'
import { withDatabase } from './db-context.ts'

export const lintCommand: Command = {
  name: 'questionnaires lint',
  summary: 'check questionnaire files (all of QUESTIONNAIRES_DIR by default), content rules included',
  usage: 'fairhire questionnaires lint [files...] [--quiet]',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { quiet: { type: 'boolean', default: false } },
    })
    const config = loadConfig({ ...process.env, DATABASE_URL: undefined, DATABASE_PATH: ':memory:' })
    const files = positionals.length > 0 ? positionals : questionnaireFiles(config.questionnairesDir)
    let errors = 0
    let warnings = 0
    const ids = new Map<string, string>()
    for (const f of files) {
      try {
        if (!statSync(f).isFile()) throw new Error('not a file')
      } catch {
        process.stderr.write(`${f}: not a readable file\n`)
        errors++
        continue
      }
      const r = loadQuestionnaireFile(f, { contentRules: true, root: process.cwd() })
      for (const w of r.ok ? r.value.warnings : r.warnings) {
        warnings++
        if (!values.quiet) process.stdout.write(`warning: ${formatFinding(w)}\n`)
      }
      if (!r.ok) {
        for (const e of r.errors) process.stdout.write(`error: ${formatFinding(e)}\n`)
        errors += r.errors.length
        continue
      }
      const other = ids.get(r.value.def.id)
      if (other) {
        process.stdout.write(`error: ${f}: questionnaire id "${r.value.def.id}" is also used by ${other}\n`)
        errors++
      }
      ids.set(r.value.def.id, f)
      const n = r.value.def.sections.reduce((k, s) => k + s.questions.length, 0)
      process.stdout.write(
        `ok: ${f}: ${r.value.def.id} ${r.value.def.version}, ${r.value.def.sections.length} sections, ${n} questions\n`,
      )
    }
    process.stdout.write(`${files.length} file(s), ${errors} error(s), ${warnings} warning(s)\n`)
    return errors > 0 ? 1 : 0
  },
}

export const showCommand: Command = {
  name: 'questionnaires show',
  summary: 'print a questionnaire definition (current version, or --version N / hash prefix)',
  usage: 'fairhire questionnaires show <id> [--version v] --json',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { version: { type: 'string' }, json: { type: 'boolean', default: false } },
    })
    const id = positionals[0]
    if (!id) throw new UsageError('which questionnaire? give its id, e.g. employer')
    return withDatabase(async (db) => {
      try {
        const v = await getQuestionnaireVersion(db, id, values.version)
        if (values.json) {
          process.stdout.write(
            `${JSON.stringify({ id: v.id, version: v.version, revision: v.revision, contentHash: v.contentHash, createdAt: v.createdAt, definition: v.def }, null, 2)}\n`,
          )
        } else {
          process.stdout.write(`${v.id} ${v.version} (revision ${v.revision}, ${v.contentHash.slice(0, 12)})\n`)
          for (const s of v.def.sections) {
            process.stdout.write(
              `  ${s.id} ${typeof s.title === 'string' ? s.title : s.title.en}: ${s.questions.length} questions\n`,
            )
          }
        }
        return 0
      } catch (err) {
        if (err instanceof VersionNotFound) {
          process.stderr.write(`fairhire: ${err.message}\n`)
          return 1
        }
        throw err
      }
    })
  },
}
