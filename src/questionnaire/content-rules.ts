import { choicesOf, isScored } from './model.ts'
import type { QuestionnaireFile } from './questionnaire.schema.ts'
import type { Finding } from './questionnaire.validate.ts'
import { compareVersions } from './version-compare.ts'
import { ILO_INDICATOR_KEYS, INDICATORS } from './vocabulary.ts'

/**
 * Coverage rules for the shipped questionnaires: what a compliance professional expects each one to
 * ask about, checked by the linter and by tests so that removing a question cannot go unnoticed.
 */

/** The related-cost categories of the ILO definition, plus recruitment fees and illegitimate costs. */
export const ILO_COST_CATEGORIES = [
  'recruitment fees',
  'medical',
  'insurance',
  'skills tests',
  'training',
  'equipment',
  'travel and lodging',
  'administrative',
  'illegitimate costs',
] as const

export const UNGP31_CRITERIA = {
  a: 'legitimate',
  b: 'accessible',
  c: 'predictable',
  d: 'equitable',
  e: 'transparent',
  f: 'rights-compatible',
  g: 'a source of continuous learning',
  h: 'based on engagement and dialogue',
} as const

export const IRIS_PRINCIPLES = ['A', 'B', '1', '2', '3', '4', '5'] as const
export const OECD_STEPS = ['1', '2', '3', '4', '5', '6'] as const

type Q = QuestionnaireFile
const scoredQuestions = (q: Q) =>
  q.sections.flatMap((s) => s.questions.filter((x) => isScored(x, s)).map((x) => ({ q: x, s })))
const clauses = (q: Q, framework: string) =>
  scoredQuestions(q).flatMap(({ q: x }) =>
    x.sources.filter((src) => src.framework === framework).map((src) => src.clause.toLowerCase()),
  )

export function indicatorCoverage(q: Q): { informed: Set<string>; redFlagged: Set<string> } {
  const informed = new Set<string>()
  const redFlagged = new Set<string>()
  for (const s of q.sections) {
    for (const x of s.questions) {
      for (const i of x.indicators) informed.add(i)
      for (const c of choicesOf(x)) {
        if (c.red_flag) {
          informed.add(c.red_flag.indicator)
          redFlagged.add(c.red_flag.indicator)
        }
      }
    }
  }
  return { informed, redFlagged }
}

export function costCategoriesCovered(q: Q): Set<string> {
  const found = new Set<string>()
  for (const clause of clauses(q, 'ILO-DEF')) {
    for (const cat of ILO_COST_CATEGORIES) if (clause.startsWith(cat)) found.add(cat)
  }
  return found
}

export function ungp31Covered(q: Q): Set<string> {
  const found = new Set<string>()
  for (const s of q.sections) {
    if (s.theme !== 'grievance_remedy' && !s.questions.some((x) => x.theme === 'grievance_remedy')) continue
    for (const x of s.questions) {
      for (const src of x.sources) {
        if (src.framework !== 'UNGP') continue
        for (const m of src.clause.matchAll(/31\s*\(([a-h])\)/g)) found.add(m[1] as string)
        // "31(a),(f)" or "31(a)(f)" lists several criteria.
        const list = /31\s*((?:\(?[a-h]\)?[,\s]*)+)/.exec(src.clause)
        if (list) for (const m of (list[1] as string).matchAll(/\(([a-h])\)/g)) found.add(m[1] as string)
      }
    }
  }
  return found
}

export function irisCovered(q: Q): Set<string> {
  const found = new Set<string>()
  for (const clause of clauses(q, 'IRIS')) {
    const m = /^([ab1-5])\b/i.exec(clause)
    if (m) found.add((m[1] as string).toUpperCase())
  }
  return found
}

export function oecdStepsCovered(q: Q): Set<string> {
  const found = new Set<string>()
  for (const clause of clauses(q, 'OECD-DD')) {
    const m = /^step\s*([1-6])/.exec(clause)
    if (m) found.add(m[1] as string)
  }
  return found
}

/** "2026.10" is later than "2026.2": versions compare part by part as numbers. */
export function atLeast(version: string, min: string): boolean {
  return compareVersions(version, min) >= 0
}

/** Questions where a "none reported" answer earns more than a reported and remedied case. */
export function silencePays(q: Q): { question: string; none: string; remedied: string }[] {
  const out: { question: string; none: string; remedied: string }[] = []
  for (const { q: x } of scoredQuestions(q)) {
    const choices = choicesOf(x)
    for (const n of choices.filter((c) => c.report_outcome === 'none_reported'))
      for (const r of choices.filter((c) => c.report_outcome === 'remedied'))
        if ((n.credit ?? 0) > (r.credit ?? 0)) out.push({ question: x.id, none: n.id, remedied: r.id })
  }
  return out
}

/**
 * Scored questions that look like "has any case been reported, and how was it handled" (a choice id or label
 * about nothing being reported) but do not mark their choices: the silence rule could not check them.
 */
export function unmarkedReportQuestions(q: Q): string[] {
  const looksSilent = (id: string, label: string) =>
    /^none_reported$|^no_cases?$|^no_case_reported$/.test(id) ||
    /^no (case|complaint|report)s? (has|have) been reported/i.test(label)
  return scoredQuestions(q)
    .filter(({ q: x }) => {
      const choices = choicesOf(x)
      return (
        choices.some((c) => looksSilent(c.id, typeof c.label === 'string' ? c.label : (c.label.en ?? ''))) &&
        !choices.some((c) => c.report_outcome !== undefined)
      )
    })
    .map(({ q: x }) => x.id)
}

export function contentRules(q: Q): Finding[] {
  const findings: Finding[] = []
  const error = (message: string) => findings.push({ level: 'error', path: ['(content)'], message })

  if (q.id === 'employer') {
    const { informed, redFlagged } = indicatorCoverage(q)
    for (const k of ILO_INDICATOR_KEYS) {
      if (!informed.has(k)) error(`no question informs the ILO indicator "${INDICATORS[k]}"`)
      if (!redFlagged.has(k)) error(`no red-flag answer exists for the ILO indicator "${INDICATORS[k]}"`)
    }
    const costs = costCategoriesCovered(q)
    for (const c of ILO_COST_CATEGORIES) {
      if (!costs.has(c)) error(`no scored question cites "ILO-DEF ${c}": that cost category is not asked about`)
    }
    const ungp = ungp31Covered(q)
    for (const [k, name] of Object.entries(UNGP31_CRITERIA)) {
      if (!ungp.has(k)) error(`the grievance section does not cover UNGP 31(${k}) (${name})`)
    }
  }
  if (q.id === 'employer' && atLeast(q.version, '2026.2')) {
    // Risk model 2026.2: the two topics auditors found missing from 2026.1.
    const themes = new Set(scoredQuestions(q).map(({ q: x, s }) => x.theme ?? s.theme))
    if (!themes.has('health_safety'))
      error('no scored question covers occupational safety and health for migrant workers (theme health_safety)')
    if (!themes.has('transport')) error('no scored question covers daily transport (theme transport)')
  }
  if (atLeast(q.version, '2026.2')) {
    for (const x of silencePays(q))
      error(`${x.question}: "${x.none}" (no case reported) is worth more than "${x.remedied}" (reported and remedied)`)
    for (const x of unmarkedReportQuestions(q))
      error(
        `${x}: a "has any case been reported" question must mark its choices with report_outcome (none_reported, remedied)`,
      )
  }
  if (q.id === 'recruiter') {
    const iris = irisCovered(q)
    for (const p of IRIS_PRINCIPLES) if (!iris.has(p)) error(`no scored question cites IRIS principle ${p}`)
  }
  if (q.id === 'brand') {
    const steps = oecdStepsCovered(q)
    for (const s of OECD_STEPS) if (!steps.has(s)) error(`no scored question cites OECD-DD step ${s}`)
  }
  return findings
}
