import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { QuestionnaireFile } from '../src/questionnaire/questionnaire.schema.ts'

for (const f of process.argv.slice(2)) {
  const r = QuestionnaireFile.safeParse(parse(readFileSync(f, 'utf8')))
  if (r.success)
    console.log(
      `${f}: schema OK (${r.data.sections.length} sections, ${r.data.sections.reduce((n, s) => n + s.questions.length, 0)} questions)`,
    )
  else
    for (const i of r.error.issues)
      console.log(
        `${f}: ${i.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .slice(1)}: ${i.message}`,
      )
}
