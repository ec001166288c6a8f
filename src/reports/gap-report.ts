import ExcelJS from 'exceljs'
import type { AnswerValue } from '../questionnaire/condition.ts'
import type { QuestionnaireFile } from '../questionnaire/questionnaire.schema.ts'
import type { ScoreResult } from '../scoring/result.schema.ts'
import type { Rubric } from '../scoring/rubric.schema.ts'
import { xmlText } from './cell-safety.ts'
import { writeActionPlan } from './xlsx-gap-action-plan.ts'
import { CAVEAT, gapContext } from './xlsx-gap-context.ts'
import { writeAnswers, writeRedFlags } from './xlsx-gap-lists.ts'
import { writeMethod } from './xlsx-gap-method.ts'
import { writeSummary } from './xlsx-gap-summary.ts'

/**
 * The gap report of one assessment: what a site manager, a recruiter or a brand's compliance team acts
 * on. Summary, Red flags, Action plan (editable and uploadable back), Answers and Method, in that order.
 * A pure function of its input: no clock (the time of generation is given), no database.
 */

export type ActionStatus = 'open' | 'in_progress' | 'done' | 'verified'

export type ActionItem = {
  id: number
  question: string
  owner: string | null
  /** YYYY-MM-DD */
  dueDate: string | null
  status: ActionStatus
  notes: string | null
}

export type GapReportInput = {
  organisation: { name: string; site?: string | null; country?: string | null; sector?: string | null }
  assessment: { id: number; status: string; createdAt: string; submittedAt?: string | null; reviewedAt?: string | null }
  questionnaire: { id: string; title: string; version: string; revision: number; def: QuestionnaireFile }
  rubric: { id: string; version: string; revision: number; rubric: Rubric }
  result: ScoreResult
  answers: Map<string, { value: AnswerValue; comment?: string | null }>
  /** Question id → evidence file names. */
  evidence: Map<string, string[]>
  /** Question id → verification method. */
  verified: Map<string, string>
  /**
   * The stored corrective action plan, one item per gap question. Gaps without an item (all of them when
   * none is stored yet) are listed open, due their suggested number of days after generatedAt, and
   * without ids: a copy with such rows says it cannot be uploaded back.
   */
  actions: ActionItem[]
  generatedAt: Date
}

export const GAP_REPORT_SHEETS = ['Summary', 'Red flags', 'Action plan', 'Answers', 'Method'] as const

export function buildGapReport(input: GapReportInput): ExcelJS.Workbook {
  const ctx = gapContext(input)
  const wb = new ExcelJS.Workbook()
  setProperties(wb, input)
  writeSummary(wb.addWorksheet('Summary', { properties: { tabColor: { argb: 'FF1F3864' } } }), ctx)
  writeRedFlags(wb.addWorksheet('Red flags', { properties: { tabColor: { argb: 'FFC00000' } } }), ctx)
  writeActionPlan(wb.addWorksheet('Action plan', { properties: { tabColor: { argb: 'FF375623' } } }), ctx)
  writeAnswers(wb.addWorksheet('Answers'), ctx)
  writeMethod(wb.addWorksheet('Method'), ctx)
  wb.views = [{ x: 0, y: 0, width: 20000, height: 12000, firstSheet: 0, activeTab: 0, visibility: 'visible' }]
  return wb
}

function setProperties(wb: ExcelJS.Workbook, input: GapReportInput): void {
  // Document properties are plain metadata, never evaluated, so they only need XML text and a sane length.
  const org = xmlText(input.organisation.name.replace(/\s+/g, ' ').trim().slice(0, 200))
  wb.creator = 'Fairhire'
  wb.lastModifiedBy = 'Fairhire'
  wb.title = `Gap report: ${org}`
  wb.subject = `${input.questionnaire.title} ${input.questionnaire.version}, assessment ${input.assessment.id}`
  wb.description = CAVEAT
  wb.keywords = 'fair recruitment; migrant workers; forced labour risk; corrective action plan'
  wb.category = 'Gap report'
  wb.created = input.generatedAt
  wb.modified = input.generatedAt
}
