import { answerText } from '../questionnaire/answer-text.ts'
import type { AnswerValue } from '../questionnaire/condition.ts'
import { parseCondition, references } from '../questionnaire/condition.ts'
import { MAX_CORRIDOR_WORKERS, MAX_CORRIDORS } from '../questionnaire/corridors.ts'
import { COUNTRIES, isCountryCode } from '../questionnaire/countries.ts'
import {
  type Applicability,
  applicability,
  type CompiledQuestionnaire,
  type QuestionEntry,
} from '../questionnaire/model.ts'
import { t } from '../questionnaire/text.ts'
import { FRAMEWORKS } from '../questionnaire/vocabulary.ts'

/**
 * The view model of one section page: questions with their inputs, what is typed or saved, errors,
 * conflicts and evidence. Pure, so that the page and its tests agree on what a respondent sees.
 */

export type Stored = { value: AnswerValue | null; comment: string | null; version: number }

export type QuestionView = {
  id: string
  text: string
  help: string
  evidenceHint: string
  sources: { key: string; title: string; clause: string }[]
  type: string
  required: boolean
  applies: boolean
  /** The condition as a JSON tree for the page script, or null. */
  when: string | null
  choices: { id: string; label: string }[]
  value: AnswerValue | null
  comment: string
  version: number
  error: string | null
  conflict: { theirs: string; yours: string } | null
  editable: boolean
  returnedComment: string | null
  evidence: { id: number; name: string }[]
  min?: number
  max?: number
  step?: string
  unit: string
  /** Corridors questions: the rows of the routes table, saved or typed, then empty ones to fill in. */
  routes?: RouteView[]
  /** Corridors questions: each row names the country of work too (a recruiter's routes). */
  routeDestination?: boolean
  /** Corridors questions: the countries to choose from, sorted by name. */
  countries?: { id: string; label: string }[]
}

/** One row of a routes table as the form shows it: codes, the number as typed, the choice id. */
export type RouteView = { origin: string; destination: string; workers: string; choice: string }

/** Rows shown for a corridors question: at least this many, and always a few empty ones after the saved routes. */
export const ROUTE_ROWS = 8
const SPARE_ROUTE_ROWS = 3

export type SectionNav = {
  id: string
  title: string
  applies: boolean
  answered: number
  applicable: number
  current: boolean
}

/**
 * The answer values and what applies, for a set of stored answers. Stored answers served from memory are
 * shared, immutable maps (see answer-cache), so this is worked out once per revision, not once per page.
 */
const states = new WeakMap<
  ReadonlyMap<string, Stored>,
  { cq: CompiledQuestionnaire; values: Map<string, AnswerValue>; app: Applicability }
>()
export function answerState(cq: CompiledQuestionnaire, stored: ReadonlyMap<string, Stored>) {
  const hit = states.get(stored)
  if (hit && hit.cq === cq) return hit
  const values = new Map<string, AnswerValue>()
  for (const [k, s] of stored) if (s.value !== null) values.set(k, s.value)
  const state = { cq, values, app: applicability(cq, values) }
  states.set(stored, state)
  return state
}

export function sectionNav(
  cq: CompiledQuestionnaire,
  values: Map<string, AnswerValue>,
  currentId: string,
  app: Applicability = applicability(cq, values),
): { sections: SectionNav[]; answered: number; applicable: number } {
  // One pass over the entries (in section order), counting per section.
  const perSection = cq.def.sections.map(() => ({ answered: 0, applicable: 0 }))
  cq.entries.forEach((e, i) => {
    if (app.byIndex[i] !== 1) return
    const counts = perSection[e.sectionIndex] as { answered: number; applicable: number }
    counts.applicable++
    if (values.has(e.question.id)) counts.answered++
  })
  let answered = 0
  let applicable = 0
  const sections = cq.def.sections.map((s, i) => {
    const counts = perSection[i] as { answered: number; applicable: number }
    answered += counts.answered
    applicable += counts.applicable
    return {
      id: s.id,
      title: t(s.title),
      applies: app.sections.get(s.id) ?? true,
      answered: counts.answered,
      applicable: counts.applicable,
      current: s.id === currentId,
    }
  })
  return { sections, answered, applicable }
}

// Per questionnaire version and section: the questions elsewhere that this section's conditions read.
const offPageRefs = new WeakMap<CompiledQuestionnaire, Map<string, string[]>>()
function offPageReferences(cq: CompiledQuestionnaire, sectionId: string): string[] {
  let perSection = offPageRefs.get(cq)
  if (!perSection) {
    perSection = new Map()
    offPageRefs.set(cq, perSection)
  }
  let refs = perSection.get(sectionId)
  if (!refs) {
    const here = cq.entries.filter((e) => e.section.id === sectionId)
    const own = new Set(here.map((e) => e.question.id))
    const read = here.flatMap((e) => (e.question.when ? references(parseCondition(e.question.when)) : []))
    refs = [...new Set(read.map((r) => r.question))].filter((q) => !own.has(q))
    perSection.set(sectionId, refs)
  }
  return refs
}

/**
 * What the page script needs to show and hide questions as the respondent types: the answers its
 * conditions read from other sections, as they count (an answer to a question that does not apply counts
 * as none, as on the server). The section's own answers it reads from the form.
 */
export function pageScriptValues(
  cq: CompiledQuestionnaire,
  sectionId: string,
  values: ReadonlyMap<string, AnswerValue>,
  app: Applicability,
): string {
  const out: Record<string, AnswerValue> = {}
  for (const q of offPageReferences(cq, sectionId)) {
    const v = values.get(q)
    if (v !== undefined && app.applies(q)) out[q] = v
  }
  return JSON.stringify(out)
}

function display(e: QuestionEntry, v: AnswerValue | null | undefined): string {
  if (v === null || v === undefined || v === '') return 'no answer'
  return answerText(e, v)
}

type StaticView = Pick<
  QuestionView,
  | 'id'
  | 'text'
  | 'help'
  | 'evidenceHint'
  | 'sources'
  | 'type'
  | 'required'
  | 'when'
  | 'choices'
  | 'min'
  | 'max'
  | 'step'
  | 'unit'
  | 'routeDestination'
  | 'countries'
>

const COUNTRY_CHOICES = Object.entries(COUNTRIES).map(([id, label]) => ({ id, label }))
/** People look for a country by its name, not its code. */
const COUNTRIES_BY_NAME = [...COUNTRY_CHOICES].sort((a, b) => a.label.localeCompare(b.label, 'en'))

/**
 * The rows of a routes table from a stored answer ("NP:450:origin_agency") or from a refused form, whose rows may be
 * incomplete ("NP::origin_agency"): read forgivingly, so that what was typed is shown again as it was.
 */
export function routeRows(value: AnswerValue | null): RouteView[] {
  const rows: RouteView[] = (Array.isArray(value) ? value : []).map((row) => {
    const m = /^([^:-]*)(?:-([^:]*))?:([^:]*):(.*)$/.exec(row)
    return m
      ? { origin: m[1] ?? '', destination: m[2] ?? '', workers: m[3] ?? '', choice: m[4] ?? '' }
      : { origin: '', destination: '', workers: '', choice: '' }
  })
  const shown = Math.min(MAX_CORRIDORS, Math.max(ROUTE_ROWS, rows.length + SPARE_ROUTE_ROWS))
  while (rows.length < shown) rows.push({ origin: '', destination: '', workers: '', choice: '' })
  return rows
}

// What a question shows that no answer changes, worked out once per stored questionnaire version (entries
// are immutable), not on every page view.
const staticViews = new WeakMap<QuestionEntry, StaticView>()
function staticView(e: QuestionEntry): StaticView {
  let v = staticViews.get(e)
  if (v) return v
  const q = e.question
  v = {
    id: q.id,
    text: t(q.text),
    help: t(q.help),
    evidenceHint: t(q.evidence),
    sources: q.sources.map((s) => ({ key: s.framework, title: FRAMEWORKS[s.framework], clause: s.clause })),
    type: q.type,
    required: q.required,
    when: q.when ? JSON.stringify(parseCondition(q.when)) : null,
    choices: q.type === 'country' ? COUNTRY_CHOICES : e.choices.map((c) => ({ id: c.id, label: t(c.label) })),
    min: q.min,
    max: q.max,
    step: q.type === 'number' ? (q.integer ? '1' : 'any') : undefined,
    unit: t(q.unit),
    routeDestination: q.type === 'corridors' ? q.corridor_destination === true : undefined,
    countries: q.type === 'corridors' ? COUNTRIES_BY_NAME : undefined,
  }
  staticViews.set(e, v)
  return v
}

export function buildSection(input: {
  cq: CompiledQuestionnaire
  sectionId: string
  stored: ReadonlyMap<string, Stored>
  /** Values typed in a refused form, shown instead of the stored ones. */
  typed?: Map<string, AnswerValue | null>
  typedComments?: Map<string, string>
  errors?: Map<string, string>
  conflicts?: Map<string, { theirs: AnswerValue | null }>
  editable: Set<string> | 'all' | 'none'
  returned: Map<string, string>
  evidence: Map<string, { id: number; name: string }[]>
  /** Applicability of the stored answers, when the caller has it already (ignored when answers were typed). */
  applicability?: Applicability
}): QuestionView[] {
  const { cq } = input
  let app = input.typed?.size ? undefined : input.applicability
  if (!app) {
    const values = new Map<string, AnswerValue>()
    for (const [k, s] of input.stored) if (s.value !== null) values.set(k, s.value)
    for (const [k, v] of input.typed ?? []) {
      if (v === null) values.delete(k)
      else values.set(k, typedForConditions(cq, k, v))
    }
    app = applicability(cq, values)
  }
  const applies = app.byIndex
  const out: QuestionView[] = []
  for (let i = 0; i < cq.entries.length; i++) {
    const e = cq.entries[i] as QuestionEntry
    if (e.section.id !== input.sectionId) continue
    const q = e.question
    const stored = input.stored.get(q.id)
    const typed = input.typed?.has(q.id) ? (input.typed.get(q.id) ?? null) : undefined
    const value = typed !== undefined ? typed : (stored?.value ?? null)
    const conflict = input.conflicts?.get(q.id)
    const v = staticView(e)
    // Every field written out: a spread followed by more fields makes V8 build each object the slow way
    // (about ten times slower here).
    out.push({
      id: v.id,
      text: v.text,
      help: v.help,
      evidenceHint: v.evidenceHint,
      sources: v.sources,
      type: v.type,
      required: v.required,
      when: v.when,
      choices: v.choices,
      min: v.min,
      max: v.max,
      step: v.step,
      unit: v.unit,
      applies: applies[i] === 1,
      value,
      comment: input.typedComments?.get(q.id) ?? stored?.comment ?? '',
      version: stored?.version ?? 0,
      error: input.errors?.get(q.id) ?? null,
      conflict: conflict ? { theirs: display(e, conflict.theirs), yours: display(e, value) } : null,
      editable: input.editable === 'all' || (input.editable !== 'none' && input.editable.has(q.id)),
      returnedComment: input.returned.get(q.id) ?? null,
      evidence: input.evidence.get(q.id) ?? [],
      routes: q.type === 'corridors' ? routeRows(value) : undefined,
      routeDestination: v.routeDestination,
      countries: v.countries,
    })
  }
  return out
}

const first = (v: string | string[] | undefined): string => (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim()

/**
 * A routes table read back: the rows in the stored form ("NP:450:origin_agency", "NP-MY:120:none"), empty rows left
 * out, and what is wrong with the rows that are filled in, each named by its number on the page. A refused row is
 * kept as typed (routeRows shows it again).
 */
export function readRoutes(
  e: QuestionEntry,
  fields: Record<string, string | string[]>,
): { rows: string[]; problem: string | null } {
  const id = e.question.id
  const withDestination = e.question.corridor_destination === true
  const choices = new Set(e.choices.map((c) => c.id))
  const rows: string[] = []
  const problems: string[] = []
  const seen = new Map<string, number>()
  for (let i = 0; i < MAX_CORRIDORS; i++) {
    const field = (k: string) => first(fields[`a[${id}][${i}][${k}]`])
    const origin = field('origin')
    const destination = withDestination ? field('destination') : ''
    const workers = field('workers').replace(/[\s,]/g, '')
    const choice = field('choice')
    if (!origin && !destination && !workers && !choice) continue
    const n = i + 1
    const wrong: string[] = []
    if (!origin) wrong.push('choose the home country')
    else if (!isCountryCode(origin)) wrong.push(`"${origin}" is not a country in the list`)
    if (withDestination && !destination) wrong.push('choose the country of work')
    else if (withDestination && !isCountryCode(destination)) wrong.push(`"${destination}" is not a country in the list`)
    const count = Number(workers)
    if (!workers) wrong.push('enter the number of workers')
    else if (!/^\d+$/.test(workers) || count < 1 || count > MAX_CORRIDOR_WORKERS)
      wrong.push(`the number of workers must be a whole number from 1 to ${MAX_CORRIDOR_WORKERS.toLocaleString('en')}`)
    if (!choice) wrong.push('choose an answer in the last column')
    else if (!choices.has(choice)) wrong.push(`"${choice}" is not one of the answers`)
    const row = `${origin}${withDestination ? `-${destination}` : ''}:${workers.replace(/:/g, '')}:${choice}`
    if (wrong.length === 0) {
      const key = `${origin}-${destination}:${choice}`
      const earlier = seen.get(key)
      if (earlier !== undefined)
        wrong.push(`it repeats route ${earlier} (same countries and answer); add the numbers up in one row`)
      else seen.set(key, n)
    }
    if (wrong.length > 0) problems.push(`Route ${n}: ${wrong.join('; ')}.`)
    rows.push(wrong.length === 0 ? `${origin}${withDestination ? `-${destination}` : ''}:${count}:${choice}` : row)
  }
  return { rows, problem: problems.length > 0 ? problems.join(' ') : null }
}

/**
 * Reads a posted section form back into answers. Field names: a[<question>] (repeated for several
 * choices), a[<question>][<row>][origin|destination|workers|choice] for the rows of a routes table,
 * c[<question>] comments, v[<question>] the version the form was built from. `problems` are rows of a routes
 * table that cannot be saved as they are, by question.
 */
export function readSectionForm(
  cq: CompiledQuestionnaire,
  sectionId: string,
  fields: Record<string, string | string[]>,
) {
  const answers: Record<string, string | number | string[] | null> = {}
  const comments: Record<string, string | null> = {}
  const versions: Record<string, number> = {}
  const problems: Record<string, string> = {}
  for (const e of cq.entries) {
    if (e.section.id !== sectionId) continue
    const id = e.question.id
    if (fields[`present[${id}]`] === undefined) continue // not on the form (locked or hidden): leave it alone
    const raw = fields[`a[${id}]`]
    const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
    if (e.question.type === 'corridors') {
      const routes = readRoutes(e, fields)
      answers[id] = routes.rows.length > 0 ? routes.rows : null
      if (routes.problem) problems[id] = routes.problem
    } else if (e.question.type === 'multi') answers[id] = list.filter((x) => x !== '')
    else {
      const v = (list[0] ?? '').trim()
      answers[id] = v === '' ? null : v
    }
    if (e.question.type === 'multi' && (answers[id] as string[]).length === 0) answers[id] = null
    const c = fields[`c[${id}]`]
    comments[id] = typeof c === 'string' && c.trim() !== '' ? c : null
    const ver = Number(fields[`v[${id}]`])
    if (Number.isInteger(ver) && ver >= 0) versions[id] = ver
  }
  return { answers, comments, versions, problems }
}

/**
 * A number typed into a refused form comes back as text; conditions compare numbers ("A0.3b > 0"), so it is read
 * as the number it will be stored as. Anything else stays as typed.
 */
function typedForConditions(cq: CompiledQuestionnaire, questionId: string, v: AnswerValue): AnswerValue {
  if (typeof v !== 'string' || cq.byId.get(questionId)?.question.type !== 'number' || v.trim() === '') return v
  const n = Number(v)
  return Number.isFinite(n) ? n : v
}
