import { ConditionSyntaxError, type Expr, parseCondition, references } from './condition.ts'
import { choicesOf } from './model.ts'
import type { Choice, Question, QuestionnaireFile, Text } from './questionnaire.schema.ts'

/**
 * Checks that need the whole questionnaire: unique ids, condition syntax and references, cycles,
 * what a scored question must carry, and missing translations. Structure is zod's job.
 */

export type Path = (string | number)[]
export type Finding = { level: 'error' | 'warning'; path: Path; message: string }

export function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')
}

const CHOICE_TYPES = new Set(['single', 'multi', 'scale'])

export function validateQuestionnaire(q: QuestionnaireFile): Finding[] {
  const findings: Finding[] = []
  const error = (path: Path, message: string) => findings.push({ level: 'error', path, message })
  const warn = (path: Path, message: string) => findings.push({ level: 'warning', path, message })

  type Located = { question: Question; path: Path; sectionIndex: number }
  const questions = new Map<string, Located>()
  const sectionIds = new Map<string, number>()
  const profileKeys = new Map<string, string>()

  q.sections.forEach((s, si) => {
    if (sectionIds.has(s.id)) error(['sections', si, 'id'], `duplicate section id "${s.id}"`)
    sectionIds.set(s.id, si)
    s.questions.forEach((question, qi) => {
      const path: Path = ['sections', si, 'questions', qi]
      const prev = questions.get(question.id)
      if (prev) error([...path, 'id'], `duplicate question id "${question.id}" (also at ${formatPath(prev.path)})`)
      else questions.set(question.id, { question, path, sectionIndex: si })
    })
  })

  // Conditions: syntax, references, and the dependency graph for cycle detection.
  const edges = new Map<string, Set<string>>()
  const parsed = (src: string, path: Path): Expr | undefined => {
    try {
      return parseCondition(src)
    } catch (err) {
      if (err instanceof ConditionSyntaxError) error(path, `condition "${src}": ${err.message}`)
      else throw err
      return undefined
    }
  }
  const checkRefs = (e: Expr, src: string, path: Path): string[] => {
    const refs: string[] = []
    for (const r of references(e)) {
      const target = questions.get(r.question)
      if (!target) {
        error(path, `condition "${src}" refers to unknown question "${r.question}"`)
        continue
      }
      refs.push(r.question)
      if (r.choice !== undefined && CHOICE_TYPES.has(target.question.type)) {
        const ids = choicesOf(target.question).map((c) => c.id)
        if (!ids.includes(r.choice)) {
          error(
            path,
            `condition "${src}" names choice "${r.choice}", which question ${r.question} does not have (${ids.join(', ')})`,
          )
        }
      }
    }
    return refs
  }
  const sectionRefs = new Map<number, string[]>()
  q.sections.forEach((s, si) => {
    if (!s.when) return
    const e = parsed(s.when, ['sections', si, 'when'])
    if (e) sectionRefs.set(si, checkRefs(e, s.when, ['sections', si, 'when']))
  })
  for (const [id, loc] of questions) {
    const deps = new Set<string>(sectionRefs.get(loc.sectionIndex) ?? [])
    if (loc.question.when) {
      const e = parsed(loc.question.when, [...loc.path, 'when'])
      if (e) for (const r of checkRefs(e, loc.question.when, [...loc.path, 'when'])) deps.add(r)
    }
    edges.set(id, deps)
  }
  const cycle = findCycle(edges)
  if (cycle) {
    const first = questions.get(cycle[0] as string)
    error(first ? [...first.path, 'when'] : ['sections'], `conditions form a cycle: ${cycle.join(' → ')}`)
  }

  // What each question must carry.
  q.sections.forEach((s, si) => {
    s.questions.forEach((question, qi) => {
      const path: Path = ['sections', si, 'questions', qi]
      checkQuestion(question, s.profile, path, error, warn)
      if (question.profile) {
        const prev = profileKeys.get(question.profile)
        if (prev) error([...path, 'profile'], `profile key "${question.profile}" is already used by question ${prev}`)
        profileKeys.set(question.profile, question.id)
      }
      if (question.profile && !s.profile) error([...path, 'profile'], 'profile questions belong in a profile section')
    })
  })

  // Translations: English is guaranteed by the schema; other declared languages are reported when missing.
  const others = q.languages.filter((l) => l !== 'en')
  walkTexts(q, [], (text, path) => {
    if (typeof text === 'string') {
      for (const lang of others) warn(path, `no ${lang} translation`)
      return
    }
    for (const lang of others) if (!(lang in text)) warn(path, `no ${lang} translation`)
    for (const lang of Object.keys(text)) {
      if (!q.languages.includes(lang)) warn(path, `language "${lang}" is not declared in languages`)
    }
  })
  if (!q.languages.includes('en')) error(['languages'], 'English ("en") must be one of the languages')

  // The reference list gives the full title of every framework the questions cite.
  const listed = new Set(q.references.map((r) => r.key))
  const cited = new Set(q.sections.flatMap((s) => s.questions.flatMap((x) => x.sources.map((src) => src.framework))))
  for (const key of cited)
    if (!listed.has(key)) warn(['references'], `framework ${key} is cited but has no entry in references`)
  return findings
}

function checkQuestion(
  question: Question,
  profileSection: boolean,
  path: Path,
  error: (p: Path, m: string) => void,
  warn: (p: Path, m: string) => void,
): void {
  const isChoice = CHOICE_TYPES.has(question.type)
  if ((question.type === 'single' || question.type === 'multi') && (question.choices?.length ?? 0) < 2) {
    error([...path, 'choices'], `a ${question.type} question needs at least two choices`)
  }
  if (question.type === 'corridors') {
    if ((question.choices?.length ?? 0) < 1)
      error([...path, 'choices'], 'a corridors question needs choices (what is asked about each route)')
    if (!profileSection) error(path, 'corridors questions are profile questions: they describe routes, unscored')
  } else if (question.corridor_destination)
    error([...path, 'corridor_destination'], 'corridor_destination is for corridors questions only')
  if (!(question.type === 'single' || question.type === 'multi' || question.type === 'corridors') && question.choices) {
    error(
      [...path, 'choices'],
      `a ${question.type} question takes no choices${question.type === 'scale' ? ' (the shared scale is used)' : ''}`,
    )
  }
  if (question.red_flags && question.type !== 'scale')
    error([...path, 'red_flags'], 'red_flags is only for scale questions; mark red flags on the choice')
  if (question.allow_na && question.type !== 'scale')
    error([...path, 'allow_na'], 'allow_na is only for scale questions')
  if (question.type !== 'number' && (question.min !== undefined || question.max !== undefined || question.integer)) {
    error(path, 'min, max and integer apply to number questions only')
  }
  if (question.min !== undefined && question.max !== undefined && question.min > question.max) {
    error([...path, 'min'], `min (${question.min}) is greater than max (${question.max})`)
  }
  const seen = new Set<string>()
  question.choices?.forEach((c, ci) => {
    if (seen.has(c.id)) error([...path, 'choices', ci, 'id'], `duplicate choice id "${c.id}"`)
    seen.add(c.id)
    if (c.exclusive && question.type !== 'multi')
      error([...path, 'choices', ci, 'exclusive'], 'exclusive applies to multiple-choice questions only')
    if (c.unproven_as !== undefined) {
      const alt = question.choices?.find((x) => x.id === c.unproven_as)
      const cp = [...path, 'choices', ci, 'unproven_as']
      if (!alt) error(cp, `no choice "${c.unproven_as}" in this question`)
      else if (alt.id === c.id) error(cp, 'a claim cannot be its own honest alternative')
      else if (alt.red_flag || alt.dont_know || alt.not_applicable || alt.credit === undefined)
        error(cp, `"${alt.id}" is not an honest alternative: it must be an ordinary answer with a credit`)
      else if (!c.needs_evidence) error(cp, 'unproven_as applies to a choice that needs evidence (needs_evidence)')
    }
  })
  const none = question.choices?.filter((c) => c.report_outcome === 'none_reported') ?? []
  const remedied = question.choices?.filter((c) => c.report_outcome === 'remedied') ?? []
  for (const n of none)
    for (const r of remedied)
      if ((n.credit ?? 0) > (r.credit ?? 0))
        error(
          [...path, 'choices', question.choices?.indexOf(n) ?? 0, 'credit'],
          `silence must never pay: "${n.id}" (no case reported, ${n.credit}) earns more than "${r.id}" (reported and remedied, ${r.credit})`,
        )

  if (profileSection) {
    if (question.severity) error([...path, 'severity'], 'profile questions are unscored and take no severity')
    return
  }
  if (!question.severity) {
    if (isChoice)
      error([...path, 'severity'], 'a choice question outside the profile section is scored and needs a severity')
    return
  }
  if (!isChoice) {
    error([...path, 'severity'], `a ${question.type} question cannot be scored; remove the severity`)
    return
  }
  if (!question.theme) error([...path, 'theme'], 'a scored question needs a theme')
  if (question.sources.length === 0) error([...path, 'sources'], 'a scored question needs at least one source')
  if (!question.help) warn([...path, 'help'], 'a scored question should explain itself in a help text')

  if (question.type === 'scale') {
    if (!question.remediation)
      error(
        [...path, 'remediation'],
        'a scale question needs a remediation for the "partly", "no" and "don\'t know" answers',
      )
    return
  }
  question.choices?.forEach((c, ci) => {
    const cp: Path = [...path, 'choices', ci]
    if (c.not_applicable) return
    if (c.credit === undefined) {
      error([...cp, 'credit'], 'every choice of a scored question needs a credit from 0 to 1')
      return
    }
    if (isGap(c) && !c.remediation && !question.remediation) {
      error(cp, `choice "${c.id}" is a gap but neither it nor its question has a remediation`)
    }
    if (c.red_flag && c.credit > 0) warn([...cp, 'credit'], 'a red-flag choice usually earns no credit')
  })
  if (question.type === 'single' && !question.choices?.some((c) => c.credit === 1)) {
    warn([...path, 'choices'], 'no choice earns full credit')
  }
}

/** A choice that produces a gap: less than full credit, a red flag, or "don't know". */
export function isGap(c: Choice): boolean {
  return !c.not_applicable && (c.dont_know || c.red_flag !== undefined || (c.credit !== undefined && c.credit < 1))
}

/** Depth-first search for a cycle; returns it as a list of ids ending where it started. */
function findCycle(edges: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (n: string): string[] | undefined => {
    state.set(n, 'open')
    stack.push(n)
    for (const m of edges.get(n) ?? []) {
      const s = state.get(m)
      if (s === 'open') return [...stack.slice(stack.indexOf(m)), m]
      if (s === undefined) {
        const c = visit(m)
        if (c) return c
      }
    }
    stack.pop()
    state.set(n, 'done')
    return undefined
  }
  for (const n of edges.keys()) {
    if (!state.has(n)) {
      const c = visit(n)
      if (c) return c
    }
  }
  return undefined
}

const TEXT_KEYS = new Set([
  'title',
  'description',
  'text',
  'help',
  'evidence',
  'label',
  'why',
  'action',
  'timeframe',
  'unit',
  'constraint_message',
])

function walkTexts(node: unknown, path: Path, visit: (t: Text, p: Path) => void): void {
  if (Array.isArray(node)) {
    node.forEach((v, i) => {
      walkTexts(v, [...path, i], visit)
    })
    return
  }
  if (node === null || typeof node !== 'object') return
  for (const [k, v] of Object.entries(node)) {
    if (k === 'references') continue
    if (
      TEXT_KEYS.has(k) &&
      (typeof v === 'string' || (v !== null && typeof v === 'object' && !Array.isArray(v) && 'en' in v))
    ) {
      visit(v as Text, [...path, k])
    } else walkTexts(v, [...path, k], visit)
  }
}
