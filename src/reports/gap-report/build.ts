import ExcelJS from 'exceljs'
import { writeActionPlan } from '../action-plan/sheet.ts'
import { xmlText } from '../xlsx/cell-safety.ts'
import { CAVEAT, gapContext } from './context.ts'
import type { GapReportInput } from './input.ts'
import { writeAnswers } from './lists.ts'
import { writeMethod } from './method.ts'
import { writeRedFlags } from './red-flags.ts'
import { writeSummary } from './summary.ts'
import { writeTopActions } from './top-actions.ts'

/**
 * The gap report of one assessment: what a site manager, a recruiter or a brand's compliance team acts
 * on. Top actions (the ten that matter most, first so that the report opens on them), Summary, Red flags (one
 * row per indicator), Action plan (every gap, grouped by section; editable and uploadable back), Answers and
 * Method, in that order.
 * A pure function of its input: no clock (the time of generation is given), no database.
 */

export type { ActionItem, ActionStatus } from '../action-plan/layout.ts'
export type { GapReportInput } from './input.ts'

export const GAP_REPORT_SHEETS = ['Top actions', 'Summary', 'Red flags', 'Action plan', 'Answers', 'Method'] as const

export function buildGapReport(input: GapReportInput): ExcelJS.Workbook {
  const ctx = gapContext(input)
  const wb = new ExcelJS.Workbook()
  setProperties(wb, input)
  writeTopActions(wb.addWorksheet('Top actions', { properties: { tabColor: { argb: 'FFED7D31' } } }), ctx)
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
