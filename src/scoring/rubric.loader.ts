import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { parse } from 'yaml'
import { choicesOf } from '../questionnaire/model.ts'
import type { QuestionnaireFile } from '../questionnaire/questionnaire.schema.ts'
import { type Rubric, RubricFile } from './rubric.schema.ts'

/**
 * Reads rubric YAML. A `$file: path` key pulls in a data file (the generated country and goods tables)
 * so that the hand-written rubric stays readable; the stored rubric is always fully resolved.
 */

export class RubricError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`rubric ${file} is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`)
    this.name = 'RubricError'
  }
}

function resolveIncludes(node: unknown, baseDir: string, rootDir: string, depth = 0): unknown {
  if (depth > 5) throw new Error('$file includes nest too deeply')
  if (Array.isArray(node)) return node.map((n) => resolveIncludes(n, baseDir, rootDir, depth))
  if (node === null || typeof node !== 'object') return node
  const obj = node as Record<string, unknown>
  let out: Record<string, unknown> = {}
  if (typeof obj.$file === 'string') {
    const path = resolve(baseDir, obj.$file)
    // Includes stay inside the rubrics folder: a rubric cannot read arbitrary files.
    if (!path.startsWith(rootDir + sep)) throw new Error(`$file ${obj.$file} points outside the rubrics folder`)
    if (!existsSync(path)) throw new Error(`$file ${obj.$file} does not exist`)
    const included = parse(readFileSync(path, 'utf8'))
    out = { ...(resolveIncludes(included, dirname(path), rootDir, depth + 1) as Record<string, unknown>) }
  }
  for (const [k, v] of Object.entries(obj)) {
    if (k !== '$file') out[k] = resolveIncludes(v, baseDir, rootDir, depth)
  }
  return out
}

export function parseRubric(raw: unknown, file: string): Rubric {
  const r = RubricFile.safeParse(raw)
  if (!r.success) {
    throw new RubricError(
      file,
      r.error.issues.map(
        (i) =>
          `${i.path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .slice(1)}: ${i.message}`,
      ),
    )
  }
  const seen = new Set<string>()
  const dupes = r.data.inherent.country.countries.filter((c) => {
    if (seen.has(c.code)) return true
    seen.add(c.code)
    return false
  })
  if (dupes.length > 0)
    throw new RubricError(
      file,
      dupes.map((c) => `inherent.country.countries: ${c.code} appears more than once`),
    )
  // A canonical order, so that the content hash does not depend on how the table was sorted.
  r.data.inherent.country.countries.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
  return r.data
}

export function loadRubricFile(path: string, rootDir = dirname(path)): Rubric {
  const shown = relative(process.cwd(), path) || path
  let raw: unknown
  try {
    raw = resolveIncludes(parse(readFileSync(path, 'utf8')), dirname(resolve(path)), resolve(rootDir))
  } catch (err) {
    throw new RubricError(shown, [(err as Error).message])
  }
  return parseRubric(raw, shown)
}

export function rubricFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && /\.ya?ml$/.test(d.name))
    .map((d) => join(dir, d.name))
    .sort()
}

export function hashRubric(r: Rubric): string {
  return createHash('sha256').update(JSON.stringify(r)).digest('hex')
}

/** What a rubric refers to in the questionnaires must exist there: a typo would silently score nothing. */
export function checkRubricAgainst(rubric: Rubric, questionnaires: QuestionnaireFile[]): string[] {
  const problems: string[] = []
  const byId = new Map(questionnaires.map((q) => [q.id, q]))
  const questionIndex = (q: QuestionnaireFile) =>
    new Map(q.sections.flatMap((s) => s.questions.map((x) => [x.id, x] as const)))
  for (const [qid, weights] of Object.entries(rubric.section_weights)) {
    const q = byId.get(qid)
    if (!q) continue
    const ids = new Set(q.sections.map((s) => s.id))
    for (const sid of Object.keys(weights))
      if (!ids.has(sid)) problems.push(`section_weights.${qid}.${sid}: no such section in ${qid}`)
  }
  for (const [qid, rule] of Object.entries(rubric.red_flags.fee_repayment)) {
    const q = byId.get(qid)
    if (!q) continue
    const index = questionIndex(q)
    const plan = index.get(rule.plan_question)
    if (!plan) problems.push(`red_flags.fee_repayment.${qid}.plan_question: no question ${rule.plan_question}`)
    else {
      const choices = new Set(choicesOf(plan).map((c) => c.id))
      for (const c of [...rule.dated_plan_choices, ...rule.repaid_choices]) {
        if (!choices.has(c)) problems.push(`red_flags.fee_repayment.${qid}: ${rule.plan_question} has no choice ${c}`)
      }
    }
    for (const pattern of rule.fee_questions) {
      const match = pattern.endsWith('*')
        ? [...index.keys()].some((k) => k.startsWith(pattern.slice(0, -1)))
        : index.has(pattern)
      if (!match) problems.push(`red_flags.fee_repayment.${qid}.fee_questions: ${pattern} matches no question`)
    }
  }
  // Rubric 2026.2: every fee band a recruiter can report for a route needs its points, or a misspelt id would be
  // scored as "not known".
  const fees = rubric.inherent.corridor_fee_bands
  if (fees) {
    for (const q of questionnaires) {
      for (const x of q.sections.flatMap((s) => s.questions)) {
        if (x.type !== 'corridors' || !x.corridor_destination) continue
        for (const c of x.choices ?? [])
          if (fees[c.id] === undefined)
            problems.push(`inherent.corridor_fee_bands: no points for ${q.id} ${x.id} choice ${c.id}`)
      }
    }
  }
  for (const answer of rubric.red_flags.escalate_answers) {
    const [question, choice] = answer.split(':') as [string, string]
    const found = questionnaires.some((q) => {
      const x = questionIndex(q).get(question)
      return x !== undefined && choicesOf(x).some((c) => c.id === choice)
    })
    if (!found) problems.push(`red_flags.escalate_answers: no questionnaire has answer ${answer}`)
  }
  return problems
}
