import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { RawAnswer, VERIFICATION_METHODS } from '../questionnaire/answers.ts'
import { VersionNotFound } from '../questionnaire/questionnaire.service.ts'
import { RubricNotFound } from '../scoring/rubric.service.ts'
import { AnswersInvalid, scoreRequest } from '../scoring/score.service.ts'
import { type Command, UsageError } from './command.ts'
import { withDatabase } from './db-context.ts'

/** The answers file: `{ "answers": {…}, "evidence": [...] }`, or the answers map itself with an optional "evidence" key. */
const AnswersFile = z.union([
  z.object({
    answers: z.record(z.string(), RawAnswer),
    evidence: z.array(z.string()).optional(),
    verified: z.record(z.string(), z.enum(VERIFICATION_METHODS)).optional(),
  }),
  z.record(z.string(), z.union([RawAnswer, z.array(z.string())])),
])

export const scoreCommand: Command = {
  name: 'score',
  summary: 'score an answers file and print the result as JSON (exit 2 on a bad file)',
  usage: 'fairhire score --questionnaire <id> [--version v] [--rubric id@rev] --answers <file.json>',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        questionnaire: { type: 'string' },
        version: { type: 'string' },
        rubric: { type: 'string' },
        answers: { type: 'string' },
      },
    })
    if (!values.questionnaire) throw new UsageError('--questionnaire is required (employer, recruiter or brand)')
    if (!values.answers) throw new UsageError('--answers is required: a JSON file mapping question ids to answers')
    let parsed: unknown
    try {
      parsed = JSON.parse(readFileSync(values.answers, 'utf8'))
    } catch (err) {
      process.stderr.write(`fairhire: ${values.answers}: ${(err as Error).message}\n`)
      return 2
    }
    const file = AnswersFile.safeParse(parsed)
    if (!file.success) {
      for (const i of file.error.issues)
        process.stderr.write(`${values.answers}: ${i.path.join('.') || '(top level)'}: ${i.message}\n`)
      return 2
    }
    const data = file.data
    const body =
      'answers' in data && typeof data.answers === 'object' && !Array.isArray(data.answers)
        ? (data as { answers: Record<string, RawAnswer>; evidence?: string[]; verified?: Record<string, string> })
        : (() => {
            const { evidence, ...answers } = data as Record<string, RawAnswer>
            return {
              answers,
              evidence: Array.isArray(evidence) ? (evidence as string[]) : undefined,
              verified: undefined,
            }
          })()
    return withDatabase(async (db) => {
      try {
        const { result } = await scoreRequest(db, {
          questionnaire: values.questionnaire as string,
          version: values.version,
          rubric: values.rubric,
          answers: body.answers,
          evidence: body.evidence,
          verified: body.verified,
        })
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
        return 0
      } catch (err) {
        if (err instanceof AnswersInvalid) {
          for (const p of err.problems) process.stderr.write(`${values.answers}: ${p.field}: ${p.message}\n`)
          return 2
        }
        if (err instanceof VersionNotFound || err instanceof RubricNotFound) {
          process.stderr.write(`fairhire: ${err.message}\n`)
          return 2
        }
        throw err
      }
    })
  },
}
