import { type AnswerLookup, type AnswerValue, compileCondition, type Predicate, parseCondition } from './condition.ts'
import type { Choice, Question, QuestionnaireFile, Section } from './questionnaire.schema.ts'
import { SCALE_CHOICES, type ScaleChoice } from './vocabulary.ts'

/**
 * A questionnaire ready to use: questions indexed by id, conditions compiled once, and the shared
 * scale expanded into ordinary choices so that pages, exports and scoring see the same list.
 */

export type QuestionnaireDef = QuestionnaireFile

const SCALE_LABELS: Record<ScaleChoice, string> = {
  yes: 'Yes',
  partly: 'Partly',
  no: 'No',
  dont_know: "Don't know",
  not_applicable: 'Not applicable',
}

/** The choices a respondent can pick for a question (scale questions get the shared scale). */
export function choicesOf(q: Question): Choice[] {
  if (q.type !== 'scale') return q.choices ?? []
  const ids = SCALE_CHOICES.filter((c) => c !== 'not_applicable' || q.allow_na)
  return ids.map((id) => ({
    id,
    label: SCALE_LABELS[id],
    red_flag: q.red_flags?.[id],
    needs_evidence: false,
    dont_know: id === 'dont_know',
    not_applicable: id === 'not_applicable',
    exclusive: false,
  }))
}

export type QuestionEntry = {
  question: Question
  section: Section
  sectionIndex: number
  questionIndex: number
  choices: Choice[]
  choiceById: Map<string, Choice>
  scored: boolean
  when?: Predicate
}

export type CompiledQuestionnaire = {
  def: QuestionnaireDef
  entries: QuestionEntry[]
  byId: Map<string, QuestionEntry>
  sectionWhen: Map<string, Predicate | undefined>
}

/** A question is scored when it sits in a non-profile section and has a severity. */
export function isScored(q: Question, s: Section): boolean {
  return !s.profile && q.severity !== undefined
}

export function compileQuestionnaire(def: QuestionnaireDef): CompiledQuestionnaire {
  const entries: QuestionEntry[] = []
  const byId = new Map<string, QuestionEntry>()
  const sectionWhen = new Map<string, Predicate | undefined>()
  def.sections.forEach((section, sectionIndex) => {
    sectionWhen.set(section.id, section.when ? compileCondition(parseCondition(section.when)) : undefined)
    section.questions.forEach((question, questionIndex) => {
      const choices = choicesOf(question)
      const entry: QuestionEntry = {
        question,
        section,
        sectionIndex,
        questionIndex,
        choices,
        choiceById: new Map(choices.map((c) => [c.id, c])),
        scored: isScored(question, section),
        when: question.when ? compileCondition(parseCondition(question.when)) : undefined,
      }
      entries.push(entry)
      byId.set(question.id, entry)
    })
  })
  return { def, entries, byId, sectionWhen }
}

export type Applicability = {
  sections: Map<string, boolean>
  questions: Map<string, boolean>
  /** The same as `questions`, by entry index: the scoring loop reads it for every question. */
  byIndex: Uint8Array
  /** Whether one question applies, without building the `questions` map. */
  applies: (questionId: string) => boolean
}

/**
 * Which sections and questions apply, given the raw answers. A condition only sees answers of
 * questions that themselves apply, so hiding a question also hides what depends on it.
 * The loader has rejected cycles, so the recursion ends.
 */
const entryIndex = new WeakMap<CompiledQuestionnaire, Map<QuestionEntry, number>>()
function indexOf(cq: CompiledQuestionnaire): Map<QuestionEntry, number> {
  let m = entryIndex.get(cq)
  if (!m) {
    m = new Map(cq.entries.map((e, i) => [e, i]))
    entryIndex.set(cq, m)
  }
  return m
}

export function applicability(cq: CompiledQuestionnaire, answers: ReadonlyMap<string, AnswerValue>): Applicability {
  const sections = new Map<string, boolean>()
  const index = indexOf(cq)
  // Per entry: 0 not yet known, 1 applies, 2 does not, 3 being evaluated (a cycle, which the loader rejects).
  const state = new Uint8Array(cq.entries.length)

  const effective: AnswerLookup = (qid) => (questionApplies(qid) ? answers.get(qid) : undefined)

  function sectionApplies(sectionId: string): boolean {
    const known = sections.get(sectionId)
    if (known !== undefined) return known
    const when = cq.sectionWhen.get(sectionId)
    if (!when) {
      sections.set(sectionId, true)
      return true
    }
    // A section condition that reached back to its own section would loop; the loader rejects such cycles.
    sections.set(sectionId, false)
    const v = when(effective)
    sections.set(sectionId, v)
    return v
  }

  function entryApplies(i: number): boolean {
    const st = state[i]
    if (st === 1) return true
    if (st === 2 || st === 3) return false
    const e = cq.entries[i] as QuestionEntry
    state[i] = 3
    const v = sectionApplies(e.section.id) && (e.when ? e.when(effective) : true)
    state[i] = v ? 1 : 2
    return v
  }

  function questionApplies(qid: string): boolean {
    const e = cq.byId.get(qid)
    const i = e ? index.get(e) : undefined
    return i === undefined ? false : entryApplies(i)
  }

  const byIndex = new Uint8Array(cq.entries.length)
  for (let i = 0; i < cq.entries.length; i++) byIndex[i] = entryApplies(i) ? 1 : 0
  let questions: Map<string, boolean> | undefined
  return {
    sections,
    byIndex,
    applies: (qid) => {
      const e = cq.byId.get(qid)
      const i = e ? index.get(e) : undefined
      return i !== undefined && byIndex[i] === 1
    },
    // Built only when asked for by id (pages); the scoring loop reads byIndex.
    get questions() {
      questions ??= new Map(cq.entries.map((e, i) => [e.question.id, byIndex[i] === 1]))
      return questions
    },
  }
}
