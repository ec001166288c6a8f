import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { z } from 'zod'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../../src/paths.ts'
import { checkAnswers, type RawAnswer } from '../../src/questionnaire/answers.ts'
import { formatFinding, loadQuestionnaireFile } from '../../src/questionnaire/loader.ts'
import { applicability, choicesOf, compileQuestionnaire } from '../../src/questionnaire/model.ts'
import type { Question, QuestionnaireFile } from '../../src/questionnaire/questionnaire.schema.ts'
import { loadRubricFile } from '../../src/scoring/rubric.loader.ts'
import { type AnswerMatch, ConsistencyRule } from '../../src/scoring/rubric.schema.ts'

/**
 * The consistency rules of rubric 2026.2 (questionnaires/rubrics/parts/consistency-2026.2.yaml): they parse as the
 * rubric schema's ConsistencyRule, every question and choice they name exists in the current questionnaire, and
 * each employer rule's claim and contradiction can be answered together (both apply to the same site), so the rule
 * can fire. Whether the engine raises the suspected flag is the engine's tests' business.
 */

const RUBRICS_DIR = join(DEFAULT_QUESTIONNAIRES_DIR, 'rubrics')
const RULES_FILE = join(RUBRICS_DIR, 'parts', 'consistency-2026.2.yaml')
const rules = z.strictObject({ rules: z.array(ConsistencyRule) }).parse(parse(readFileSync(RULES_FILE, 'utf8'))).rules

const shipped = new Map<string, QuestionnaireFile>()
function questionnaire(id: string): QuestionnaireFile {
  const known = shipped.get(id)
  if (known) return known
  const r = loadQuestionnaireFile(join(DEFAULT_QUESTIONNAIRES_DIR, `${id}.yaml`))
  if (!r.ok) throw new Error(r.errors.map(formatFinding).join('\n'))
  shipped.set(id, r.value.def)
  return r.value.def
}

const questionsOf = (q: QuestionnaireFile) => q.sections.flatMap((s) => s.questions)

/** The questions a match names: one id, or every id starting with a prefix written as "A3.2*". */
function matched(q: QuestionnaireFile, m: AnswerMatch): Question[] {
  const all = questionsOf(q)
  return m.question.endsWith('*')
    ? all.filter((x) => x.id.startsWith(m.question.slice(0, -1)))
    : all.filter((x) => x.id === m.question)
}

/** What is wrong with one match, or nothing. */
function matchProblems(q: QuestionnaireFile, m: AnswerMatch, where: string): string[] {
  const found = matched(q, m)
  if (found.length === 0) return [`${where}: ${m.question} matches no question of ${q.id} ${q.version}`]
  const problems: string[] = []
  for (const x of found) {
    const isChoice = x.type === 'single' || x.type === 'multi' || x.type === 'scale'
    if (m.choices) {
      if (!isChoice) problems.push(`${where}: ${x.id} is a ${x.type} question and has no choices`)
      else {
        const ids = new Set(choicesOf(x).map((c) => c.id))
        for (const c of m.choices) if (!ids.has(c)) problems.push(`${where}: ${x.id} has no choice "${c}"`)
      }
    }
    if ((m.min !== undefined || m.max !== undefined) && x.type !== 'number')
      problems.push(`${where}: ${x.id} is not a number question; min and max do not apply`)
    if (!m.choices && m.min === undefined && m.max === undefined)
      problems.push(`${where}: ${x.id}: name the choices (or min/max) that count`)
  }
  return problems
}

describe('consistency rules 2026.2', () => {
  it('parse as ConsistencyRule, with unique ids and a reason and a check a reviewer can act on', () => {
    expect(rules.length).toBeGreaterThan(0)
    const ids = rules.map((r) => r.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const r of rules) {
      // Whole sentences, not labels: the reason is shown beside the suspected flag.
      expect(r.reason.length, r.id).toBeGreaterThan(120)
      expect(r.check.length, r.id).toBeGreaterThan(80)
    }
  })

  it('name only questions and choices that exist in the current questionnaire', () => {
    const problems = rules.flatMap((r) => {
      const q = questionnaire(r.questionnaire)
      return [
        ...r.claim.flatMap((m, i) => matchProblems(q, m, `${r.id}.claim[${i}]`)),
        ...r.contradicted_by.flatMap((m, i) => matchProblems(q, m, `${r.id}.contradicted_by[${i}]`)),
      ]
    })
    expect(problems).toEqual([])
  })

  it('the check reports a question or choice that does not exist', () => {
    const q = questionnaire('employer')
    expect(matchProblems(q, { question: 'A3.9x', choices: ['no'] }, 'r')).toEqual([
      `r: A3.9x matches no question of employer ${q.version}`,
    ])
    expect(matchProblems(q, { question: 'A3.2*', choices: ['workers_paid'] }, 'r')).toContain(
      'r: A3.2a has no choice "workers_paid"',
    )
    expect(matchProblems(q, { question: 'A0.3', choices: ['yes'] }, 'r')).toEqual([
      'r: A0.3 is a number question and has no choices',
    ])
  })

  it('cover what issue 15 asks of the employer questionnaire', () => {
    const employer = rules.filter((r) => r.questionnaire === 'employer')
    const ids = employer.map((r) => r.id)
    expect(ids).toEqual(
      expect.arrayContaining([
        'fees_denied_debt_reported',
        'fees_denied_cost_paid',
        'fees_denied_recruiter_unpaid',
        'documents_held_after_processing',
        'brokers_used_not_mapped',
        'subagents_paid_not_mapped',
        'recruitment_debt_warning_sign',
      ]),
    )
    // Recruitment debt among 1 to 10% of new arrivals is a warning sign: no claim, a suspected flag on its own.
    const warning = employer.find((r) => r.id === 'recruitment_debt_warning_sign')
    expect(warning).toMatchObject({
      claim: [],
      contradicted_by: [{ question: 'A3.7', choices: ['up_to_10'] }],
      indicator: 'debt_bondage',
    })
    // Any share of indebted arrivals contradicts "no worker paid".
    expect(employer.find((r) => r.id === 'fees_denied_debt_reported')?.contradicted_by).toEqual([
      { question: 'A3.7', choices: ['up_to_10', 'up_to_50', 'over_50'] },
    ])
  })

  describe('each employer rule can fire: its claim and its contradiction apply to the same site together', () => {
    const q = questionnaire('employer')
    const cq = compileQuestionnaire(q)
    // A site that uses agencies and brokers and houses its workers, so that every section applies.
    const profile: Record<string, RawAnswer> = {
      'A0.1': 'MY',
      'A0.2': 'electronics',
      'A0.3': 800,
      'A0.3b': 400,
      'A0.3c': 0,
      'A0.3e': 0,
      'A0.4': ['NP:300:origin_agency', 'NP:100:informal_broker'],
      'A0.5': ['origin_agency', 'informal_broker'],
      'A0.6': 2,
      'A0.7': 'yes',
      'A0.8': 'yes',
      'A0.8b': 400,
      'A0.9': 'yes',
    }
    const answerFor = (m: AnswerMatch): Record<string, RawAnswer> => {
      const out: Record<string, RawAnswer> = {}
      for (const x of matched(q, m)) {
        const c = m.choices?.[0] as string
        out[x.id] = x.type === 'multi' ? [c] : c
      }
      return out
    }
    const employerRules = rules.filter((r) => r.questionnaire === 'employer')
    it.each(employerRules.flatMap((r) => r.contradicted_by.map((m, i) => [r.id, i, r, m] as const)))(
      '%s, contradiction %i',
      (_id, _i, rule, contradiction) => {
        const answers: Record<string, RawAnswer> = { ...profile }
        for (const m of rule.claim) Object.assign(answers, answerFor(m))
        Object.assign(answers, answerFor(contradiction))
        const checked = checkAnswers(cq, answers)
        expect(checked.problems).toEqual([])
        const app = applicability(cq, checked.values)
        for (const m of [...rule.claim, contradiction])
          for (const x of matched(q, m)) expect(app.questions.get(x.id), `${x.id} applies`).toBe(true)
      },
    )
  })

  describe('load through the rubric loader when a rubric includes them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fairhire-rubric-'))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    it('as consistency: { $file: parts/consistency-2026.2.yaml }', () => {
      cpSync(RUBRICS_DIR, dir, { recursive: true })
      const file = join(dir, 'default.yaml')
      const rubric = parse(readFileSync(file, 'utf8')) as Record<string, unknown>
      rubric.consistency = { $file: 'parts/consistency-2026.2.yaml' }
      writeFileSync(file, stringify(rubric))
      const loaded = loadRubricFile(file)
      expect(loaded.consistency?.rules.map((r) => r.id)).toEqual(rules.map((r) => r.id))
    })
  })
})
