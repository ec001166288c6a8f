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
}

/**
 * Which sections and questions apply, given the raw answers. A condition only sees answers of
 * questions that themselves apply, so hiding a question also hides what depends on it.
 * The loader has rejected cycles, so the recursion ends.
 */
export function applicability(cq: CompiledQuestionnaire, answers: ReadonlyMap<string, AnswerValue>): Applicability {
  const questions = new Map<string, boolean>()
  const sections = new Map<string, boolean>()
  const visiting = new Set<string>()

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

  function questionApplies(qid: string): boolean {
    const known = questions.get(qid)
    if (known !== undefined) return known
    const e = cq.byId.get(qid)
    if (!e || visiting.has(qid)) return false
    visiting.add(qid)
    const v = sectionApplies(e.section.id) && (e.when ? e.when(effective) : true)
    visiting.delete(qid)
    questions.set(qid, v)
    return v
  }

  const byIndex = new Uint8Array(cq.entries.length)
  for (let i = 0; i < cq.entries.length; i++) {
    const e = cq.entries[i] as QuestionEntry
    let v = questions.get(e.question.id)
    if (v === undefined) {
      // Most questions have no condition of their own: their section decides.
      v = e.when ? questionApplies(e.question.id) : sectionApplies(e.section.id)
      questions.set(e.question.id, v)
    }
    byIndex[i] = v ? 1 : 0
  }
  return { sections, questions, byIndex }
}
