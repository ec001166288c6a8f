import type ExcelJS from 'exceljs'
import { t } from '../../questionnaire/text.ts'
import { INDICATORS, SEVERITIES } from '../../questionnaire/vocabulary.ts'
import { CONTROL_BANDS, INHERENT_BANDS, type Rubric } from '../../scoring/rubric.schema.ts'
import { STATUS_LABELS } from '../action-plan/layout.ts'
import { BlockSheet } from '../xlsx/blocks.ts'
import {
  CONTROL_BAND_LABELS,
  DATE_TIME_FORMAT,
  INHERENT_BAND_LABELS,
  paint,
  printSetup,
  put,
  RATING_SWATCHES,
  SEVERITY_SWATCHES,
  styleTitle,
} from '../xlsx/style.ts'
import { CAVEAT, type GapContext, percent } from './context.ts'
import { RANKING_TEXT } from './urgency.ts'

/**
 * The Method sheet: how every number in the report is made, in plain words and with the rubric's own
 * values, so that a reader can check the rating by hand and knows which rubric version produced it.
 */

const WIDTHS = [34, 17, 14, 14, 14, 64]

export function writeMethod(ws: ExcelJS.Worksheet, ctx: GapContext): void {
  const b = new BlockSheet(ws, WIDTHS)
  styleTitle(b.line('Method: how the score is made'))
  ws.getRow(1).height = 28
  b.line(CAVEAT).font = { bold: true, italic: true, color: { argb: 'FFC00000' } }
  b.skip()
  writeVersions(b, ctx)
  writeSteps(b, ctx)
  writeSeverityWeights(b, ctx.input.rubric.rubric)
  writeSectionWeights(b, ctx)
  writeBands(b, ctx.input.rubric.rubric)
  writeMatrix(b, ctx.input.rubric.rubric)
  writeStatuses(b)
  printSetup(ws, { footer: ctx.footer })
}

function writeVersions(b: BlockSheet, ctx: GapContext): void {
  const { questionnaire: q, rubric: r, result } = ctx.input
  b.heading('Versions')
  b.keyValue('Questionnaire', `${q.title} (${q.id}), version ${q.version}, revision ${q.revision}`)
  b.keyValue('Questionnaire fingerprint', result.questionnaire.hash)
  b.keyValue('Rubric', `${r.rubric.title} (${r.id}), version ${r.version}, revision ${r.revision}`)
  if (r.rubric.derived_from) b.keyValue('Rubric derived from', r.rubric.derived_from)
  b.keyValue('Rubric fingerprint', result.rubric.hash)
  b.keyValue('Report generated', ctx.input.generatedAt, DATE_TIME_FORMAT)
  b.skip()
}

function writeSteps(b: BlockSheet, ctx: GapContext): void {
  const r = ctx.input.rubric.rubric
  b.heading('In plain words')
  const steps: [string, string][] = [
    ['1. Credit per answer', creditText(r)],
    ['2. Evidence', evidenceText(r)],
    [
      '3. Section score',
      'The sum of severity weight × credit over the sum of the severity weights of the section’s applicable ' +
        'questions, × 100. Questions not asked (their condition is not met) and optional questions left blank are ' +
        'left out; a required question left blank counts as "don\'t know".',
    ],
    [
      '4. Control score',
      'The mean of the section scores, weighted by the section weights below. It says how well the practices ' +
        'in place prevent recruitment harm: 0 to 100, higher is better.',
    ],
    ['5. Inherent risk', inherentText(r)],
    [
      '6. Rating',
      'The rating matrix below gives the rating from the inherent-risk band and the control band. Red flags then ' +
        `set a floor the rating cannot go below. ${floorText(ctx)}`,
    ],
    ['7. Confidence', confidenceText(r)],
    [
      '8. Gaps and actions',
      'A gap is an applicable question that earned less than full credit (not counting a "yes" that only awaits ' +
        'evidence), was answered "don\'t know" or left blank, or is a red flag. Each gap carries the recommended ' +
        'action, the standards it rests on and a suggested timeframe from the questionnaire; a suggested due date ' +
        'counts the timeframe’s days from the day the plan is made.',
    ],
    [
      '9. Top actions',
      `Gaps whose questions call for the same action are one action. ${RANKING_TEXT} The first ten are on the ` +
        'Top actions sheet; the Action plan sheet lists every gap by section, in the same order within a section.',
    ],
    ['This assessment', ctx.input.result.control.explanation],
  ]
  for (const [name, text] of steps) b.explain(labelled(b, name), 2, text)
  b.skip()
}

function labelled(b: BlockSheet, name: string): ExcelJS.Row {
  const row = b.next()
  b.label(row, name)
  return row
}

function creditText(r: Rubric): string {
  const c = r.answer_credits
  return (
    `Each scored question earns a share of its weight. Yes ${c.yes}, partly ${c.partly}, no ${c.no}, ` +
    `don't know ${c.dont_know}. A question with its own answers gives each answer a credit set in the ` +
    'questionnaire; a multiple-choice question earns the share of good practices selected.'
  )
}

function evidenceText(r: Rubric): string {
  const severities = r.evidence.severities.join(' or ')
  return (
    `A "yes" on a ${severities || 'scored'} question, and any answer marked as needing proof, earns ` +
    `${r.evidence.unverified_credit} instead of full credit until evidence is attached or a reviewer verifies it ` +
    '(document, worker interview or site visit).'
  )
}

function inherentText(r: Rubric): string {
  const i = r.inherent
  return (
    `Points for how exposed the site is, whatever its practices: the country of the site (${i.country.source}, ` +
    `${i.country.year}), the sector (plus ${i.sector.listed_goods_points} when goods of that sector from that ` +
    `country are listed for forced labour: ${i.sector.listed_goods.source}, ${i.sector.listed_goods.year}), the share ` +
    'of migrant workers, the riskiest recruitment channel used, work permits tied to the employer, and housing ' +
    `provided by the employer; plus ${i.dont_know.points} when more than ${percent(i.dont_know.above_share)} of ` +
    `answers are "don't know". The sum is capped at ${i.cap}.${inherent2026_2(r)}`
  )
}

/** Rubric 2026.2: the capped groups, internal migrants and the migration routes. */
function inherent2026_2(r: Rubric): string {
  const i = r.inherent
  const parts: string[] = []
  if (i.migrant_share_counts?.includes('internal_migrants'))
    parts.push('Internal migrants count in the share of migrant workers.')
  for (const g of i.groups ?? [])
    parts.push(`${g.label} (${g.factors.map((f) => f.replace(/_/g, ' ')).join(', ')}) counts at most ${g.cap} in all.`)
  if (i.corridors)
    parts.push(
      `The migration routes add points for the workers' home countries and, where a survey gives it, the typical cost ` +
        `workers paid on that route in months of earnings (${i.corridors.costs.source.replace(/\s+/g, ' ')}); routes count ` +
        `${i.corridors.weighting === 'workers' ? 'by their share of the workers' : 'by the riskiest one'}. A recruiter's ` +
        'countries are those of its routes, not its head office.',
    )
  return parts.length > 0 ? ` ${parts.join(' ')}` : ''
}

function floorText(ctx: GapContext): string {
  const rf = ctx.input.rubric.rubric.red_flags
  const escalating = rf.escalate_indicators.map((k) => INDICATORS[k].toLowerCase())
  const parts = [
    `Any active red flag: at least ${rf.any}.`,
    `Red flags in ${rf.families_threshold} or more indicator families: at least ${rf.several_families}.`,
    `A red flag for ${escalating.join(', ')}, or confinement, escalates alone to ${rf.escalation}.`,
    `A red flag suspected by a reviewer: at least ${rf.suspected} until verified.`,
  ]
  const fee = rf.fee_repayment[ctx.input.questionnaire.id]
  if (fee) {
    const plan = ctx.cq.byId.get(fee.plan_question)
    parts.push(
      `Recruitment-fee red flags being repaid on a dated plan (${fee.plan_question}${plan ? `, "${t(plan.question.text)}"` : ''}) ` +
        `no longer escalate and set at least ${fee.downgraded_floor}; once repayment is complete and evidenced they are cleared.`,
    )
  }
  return parts.join(' ')
}

function confidenceText(r: Rubric): string {
  const c = r.confidence
  return (
    `Low when more than ${percent(c.low_above_dont_know_share)} of applicable questions are "don't know" or blank; ` +
    `medium when more than ${percent(c.medium_above_dont_know_share)} are, or when more than ` +
    `${percent(c.medium_above_unverified_share)} of answers still need evidence; high otherwise.`
  )
}

function writeSeverityWeights(b: BlockSheet, r: Rubric): void {
  b.heading('Severity weights')
  b.tableHeader(['Severity', 'Weight'])
  for (const s of SEVERITIES) {
    const row = b.tableRow([SEVERITY_SWATCHES[s].label, r.severity_weights[s]], [undefined, '0'])
    paint(row.getCell(1), SEVERITY_SWATCHES[s])
  }
  b.skip()
}

function writeSectionWeights(b: BlockSheet, ctx: GapContext): void {
  const r = ctx.input.rubric.rubric
  const weights = r.section_weights[ctx.input.questionnaire.id] ?? {}
  const sections = ctx.cq.def.sections.filter((s) => !s.profile)
  const total = sections.reduce((n, s) => n + (weights[s.id] ?? r.default_section_weight), 0)
  b.heading('Section weights')
  b.tableHeader(['Section', 'Weight', 'Share'])
  for (const s of sections) {
    const w = weights[s.id] ?? r.default_section_weight
    b.tableRow([`${s.id} ${t(s.title)}`, w, total > 0 ? w / total : 0], [undefined, '0', '0%'])
  }
  b.skip()
}

function writeBands(b: BlockSheet, r: Rubric): void {
  const cb = r.control_bands
  b.heading('Bands')
  b.tableHeader(['Control score', 'From', 'Below'])
  const control: [string, number, number | null][] = [
    [CONTROL_BAND_LABELS.strong, cb.strong, null],
    [CONTROL_BAND_LABELS.adequate, cb.adequate, cb.strong],
    [CONTROL_BAND_LABELS.weak, cb.weak, cb.adequate],
    [CONTROL_BAND_LABELS.very_weak, 0, cb.weak],
  ]
  for (const row of control) b.tableRow(row, [undefined, '0', '0'])
  const ib = r.inherent.bands
  b.tableHeader(['Inherent risk', 'From', 'Below'])
  const inherent: [string, number, number | null][] = [
    [INHERENT_BAND_LABELS.low, 0, ib.medium],
    [INHERENT_BAND_LABELS.medium, ib.medium, ib.high],
    [INHERENT_BAND_LABELS.high, ib.high, null],
  ]
  for (const row of inherent) b.tableRow(row, [undefined, '0', '0'])
  b.skip()
}

function writeMatrix(b: BlockSheet, r: Rubric): void {
  b.heading('Rating matrix (before red-flag floors)')
  b.tableHeader(['Inherent risk \\ control', ...CONTROL_BANDS.map((c) => CONTROL_BAND_LABELS[c])])
  for (const band of [...INHERENT_BANDS].reverse()) {
    const row = b.tableRow([INHERENT_BAND_LABELS[band], ...CONTROL_BANDS.map(() => null)])
    CONTROL_BANDS.forEach((c, i) => {
      const swatch = RATING_SWATCHES[r.matrix[band][c]]
      const cell = row.getCell(i + 2)
      put(cell, swatch.label)
      paint(cell, swatch)
      cell.alignment = { horizontal: 'center', vertical: 'top' }
    })
  }
  b.skip()
}

function writeStatuses(b: BlockSheet): void {
  b.heading('Action plan statuses')
  const meanings: Record<keyof typeof STATUS_LABELS, string> = {
    open: 'Nothing done yet.',
    in_progress: 'Work has started; the due date still applies.',
    done: 'The site considers the action complete; evidence should be attached in Fairhire.',
    verified: 'A reviewer has checked that the action was taken and works.',
  }
  for (const [status, label] of Object.entries(STATUS_LABELS) as [keyof typeof STATUS_LABELS, string][]) {
    b.explain(labelled(b, label), 2, meanings[status])
  }
}
