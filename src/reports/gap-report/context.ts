import type { AnswerValue } from '../../questionnaire/condition.ts'
import { COUNTRIES } from '../../questionnaire/countries.ts'
import { applicability, type CompiledQuestionnaire, compileQuestionnaire } from '../../questionnaire/model.ts'
import { t } from '../../questionnaire/text.ts'
import type { Severity } from '../../questionnaire/vocabulary.ts'
import type { Gap, QuestionScore } from '../../scoring/result.schema.ts'
import type { GapReportInput } from './input.ts'

/** What every sheet of the gap report looks things up in, computed once. */

export const CAVEAT =
  'These are indicators of forced-labour risk from a self-assessment, not findings of forced labour.'

export type GapContext = {
  input: GapReportInput
  cq: CompiledQuestionnaire
  /** Scored questions as the engine saw them. */
  scores: Map<string, QuestionScore>
  gaps: Map<string, Gap>
  /** Question id → the indicator families its red flags point to. */
  redFlagIndicators: Map<string, string>
  /** Question id → position in the questionnaire, for a stable reading order. */
  order: Map<string, number>
  applies: Map<string, boolean>
  /** Printed at the foot of every page. */
  footer: string
}

export function gapContext(input: GapReportInput): GapContext {
  const cq = compileQuestionnaire(input.questionnaire.def)
  const scores = new Map<string, QuestionScore>()
  for (const s of input.result.control.sections) for (const q of s.questions) scores.set(q.question, q)
  const indicators = new Map<string, string[]>()
  for (const f of input.result.redFlags) {
    const list = indicators.get(f.question) ?? []
    if (!list.includes(f.indicatorLabel)) list.push(f.indicatorLabel)
    indicators.set(f.question, list)
  }
  const raw = new Map<string, AnswerValue>()
  for (const [qid, a] of input.answers) raw.set(qid, a.value)
  return {
    input,
    cq,
    scores,
    gaps: new Map(input.result.gaps.map((g) => [g.question, g])),
    redFlagIndicators: new Map([...indicators].map(([q, l]) => [q, l.join('; ')])),
    order: new Map(cq.entries.map((e, i) => [e.question.id, i])),
    applies: applicability(cq, raw).questions,
    footer: `Gap report: ${input.organisation.name} (assessment ${input.assessment.id}). ${CAVEAT}`,
  }
}

export function severityOf(ctx: GapContext, questionId: string): Severity | undefined {
  return ctx.scores.get(questionId)?.severity ?? ctx.cq.byId.get(questionId)?.question.severity
}

export function sectionLabel(ctx: GapContext, sectionId: string): string {
  const s = ctx.cq.def.sections.find((x) => x.id === sectionId)
  return s ? `${s.id} ${t(s.title)}` : sectionId
}

export function countryName(code: string | null | undefined): string | null {
  if (!code) return null
  return COUNTRIES[code.toUpperCase()] ?? code
}

/** The sector as a person reads it: the questionnaire's label when the stored value is a choice id. */
export function sectorName(ctx: GapContext, sector: string | null | undefined): string | null {
  if (!sector) return null
  const e = ctx.cq.entries.find((x) => x.question.profile === 'sector')
  const choice = e?.choiceById.get(sector)
  return choice ? t(choice.label) : sector
}

export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 }

export const capitalise = (s: string): string => (s ? s.charAt(0).toUpperCase() + s.slice(1) : s)

export const percent = (x: number): string => `${Math.round(x * 100)}%`
