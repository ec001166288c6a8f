import type ExcelJS from 'exceljs'
import { SEVERITIES, type Severity } from '../../questionnaire/vocabulary.ts'
import { openRedFlags } from '../../scoring/open-red-flags.ts'
import type { InherentFactor, ScoreResult } from '../../scoring/result.schema.ts'
import type { ControlBand } from '../../scoring/rubric.schema.ts'
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
  styleMuted,
  styleTitle,
  timestampCell,
} from '../xlsx/style.ts'
import {
  CAVEAT,
  capitalise,
  countryName,
  type GapContext,
  percent,
  sectionLabel,
  sectorName,
  severityOf,
} from './context.ts'
import { indicatorGroups, indicatorSummary } from './red-flags.ts'

/**
 * The Summary sheet: one screen that says how risky the site looks, why, how sure the score is, and how
 * much there is to do. Eight columns; the last one is wide, for explanations.
 */

const WIDTHS = [30, 17, 16, 11, 11, 11, 11, 62]
const COUNT = '0'
const SCORE = '0.0'

const FACTOR_LABELS: Record<InherentFactor['factor'], string> = {
  country: 'Country of the site',
  sector: 'Sector',
  migrant_share: 'Share of migrant workers',
  recruitment_channels: 'Recruitment channels',
  tied_permits: 'Work permits tied to the employer',
  employer_accommodation: 'Accommodation provided by the employer',
  corridors: 'Migration routes',
  dont_know: 'Many "don\'t know" answers',
}

export function writeSummary(ws: ExcelJS.Worksheet, ctx: GapContext): void {
  const b = new BlockSheet(ws, WIDTHS)
  writeTitle(b, ctx)
  writeAssessment(b, ctx)
  writeResult(b, ctx)
  writeSections(b, ctx)
  writeInherent(b, ctx)
  writeCounts(b, ctx)
  writeRedFlagList(b, ctx)
  printSetup(ws, { footer: ctx.footer })
}

function writeTitle(b: BlockSheet, ctx: GapContext): void {
  const { input } = ctx
  const title = b.line(`Gap report: ${input.organisation.name}`)
  styleTitle(title)
  b.ws.getRow(1).height = 28
  styleMuted(
    b.line(`${input.questionnaire.title}, version ${input.questionnaire.version}. Assessment ${input.assessment.id}.`),
  )
  b.line(CAVEAT).font = { bold: true, italic: true, color: { argb: 'FFC00000' } }
  b.skip()
}

function writeAssessment(b: BlockSheet, ctx: GapContext): void {
  const { input } = ctx
  const q = input.questionnaire
  const r = input.rubric
  b.heading('Organisation and assessment')
  b.keyValue('Organisation', input.organisation.name)
  b.keyValue('Site', input.organisation.site)
  b.keyValue('Country', countryName(input.organisation.country))
  b.keyValue('Sector', sectorName(ctx, input.organisation.sector))
  b.keyValue('Questionnaire', `${q.title} (${q.id}), version ${q.version}, revision ${q.revision}`)
  b.keyValue('Rubric', `${r.rubric.title} (${r.id}), version ${r.version}, revision ${r.revision}`)
  b.keyValue('Assessment id', input.assessment.id, COUNT)
  b.keyValue('Assessment status', capitalise(input.assessment.status))
  b.keyValue('Started (UTC)', timestampCell(input.assessment.createdAt), DATE_TIME_FORMAT)
  b.keyValue('Submitted (UTC)', timestampCell(input.assessment.submittedAt) ?? 'Not yet', DATE_TIME_FORMAT)
  b.keyValue('Reviewed (UTC)', timestampCell(input.assessment.reviewedAt) ?? 'Not yet', DATE_TIME_FORMAT)
  b.keyValue('Report generated (UTC)', input.generatedAt, DATE_TIME_FORMAT)
  b.skip()
}

function writeResult(b: BlockSheet, ctx: GapContext): void {
  const r = ctx.input.result
  b.heading('Result')
  const ratingRow = b.next()
  b.label(ratingRow, 'Risk rating')
  const rating = ratingRow.getCell(2)
  const swatch = RATING_SWATCHES[r.rating]
  put(rating, swatch.label.toUpperCase())
  paint(rating, swatch)
  rating.font = { ...rating.font, size: 14 }
  rating.alignment = { horizontal: 'center', vertical: 'middle' }
  b.explain(ratingRow, 3, ratingExplanation(r))
  ratingRow.height = Math.max(ratingRow.height ?? 0, 24)

  const control = b.next()
  b.label(control, 'Control score (0 to 100)')
  value(control.getCell(2), r.control.overall ?? 'None', SCORE)
  value(control.getCell(3), CONTROL_BAND_LABELS[r.control.band])
  b.explain(control, 4, 'How well the practices in place prevent recruitment harm: higher is better.')

  const inherent = b.next()
  b.label(inherent, 'Inherent risk (0 to 10)')
  value(inherent.getCell(2), r.inherent.score, SCORE)
  value(inherent.getCell(3), INHERENT_BAND_LABELS[r.inherent.band])
  b.explain(inherent, 4, 'How exposed the site is, whatever its practices: higher is riskier.')

  const confidence = b.next()
  b.label(confidence, 'Confidence')
  value(confidence.getCell(2), capitalise(r.confidence.level))
  b.explain(confidence, 3, confidenceExplanation(r))
  b.skip()
}

function value(cell: ExcelJS.Cell, v: string | number, numFmt?: string): void {
  put(cell, v, numFmt)
  cell.alignment = { horizontal: 'left', vertical: 'top' }
  cell.font = { bold: true }
}

function ratingExplanation(r: ScoreResult): string {
  const m = r.ratingExplanation.matrix
  const v = r.verification
  const parts = [
    m.row && m.row !== m.inherentBand
      ? `Every critical answer is verified, so inherent risk (${INHERENT_BAND_LABELS[m.inherentBand].toLowerCase()}) sets only the priority of verification: control ${CONTROL_BAND_LABELS[m.controlBand].toLowerCase()} gives ${m.rating} in the matrix's ${m.row} row.`
      : `Inherent risk ${INHERENT_BAND_LABELS[m.inherentBand].toLowerCase()} and control ${CONTROL_BAND_LABELS[m.controlBand].toLowerCase()} give ${m.rating} in the rubric's matrix.`,
  ]
  if (v?.caution) parts.unshift(`${v.caution}.`)
  if (r.ratingExplanation.floors.length > 0) {
    parts.push(`Rules that set a floor: ${r.ratingExplanation.floors.map((f) => f.reason).join('; ')}.`)
  }
  if (v) parts.push(`Verified by a reviewer: ${v.verified} of ${v.required} critical answers.`)
  if (r.rating !== m.rating) parts.push(`The rating is therefore ${r.rating}.`)
  return parts.join(' ')
}

function confidenceExplanation(r: ScoreResult): string {
  const c = r.confidence
  return (
    `${c.applicable} scored questions apply. ${c.dontKnow} were answered "don't know" or left blank ` +
    `(${percent(c.dontKnowShare)}); ${c.unverified} "yes" answers still need evidence or a reviewer's ` +
    `verification (${percent(c.unverifiedShare)}).`
  )
}

function writeSections(b: BlockSheet, ctx: GapContext): void {
  const r = ctx.input.result
  const formats = [undefined, SCORE, undefined, COUNT, COUNT, COUNT, COUNT]
  b.heading('Control score by section')
  b.tableHeader(['Section', 'Score', 'Band', 'Weight', 'Questions', "Don't know", 'Unverified', 'Note'])
  const first = b.current
  for (const s of r.control.sections) {
    const row = b.tableRow(
      [
        sectionLabel(ctx, s.id),
        s.score,
        s.score === null ? 'Not applicable' : CONTROL_BAND_LABELS[bandOf(ctx, s.score)],
        s.weight,
        s.counted,
        s.dontKnow,
        s.unverified,
        s.applicable ? (s.score === null ? 'No scored question applies' : null) : 'The section does not apply',
      ],
      formats,
    )
    if (s.score === null) styleMuted(row.getCell(3))
  }
  const last = b.current - 1
  const c = r.confidence
  const total = b.tableRow(
    [
      'All sections (weighted)',
      r.control.overall,
      CONTROL_BAND_LABELS[r.control.band],
      null,
      c.applicable,
      c.dontKnow,
      c.unverified,
      null,
    ],
    formats,
  )
  b.bold(total)
  if (last >= first) addScoreScale(b.ws, `B${first}:B${last}`, ctx)
  b.skip()
}

function bandOf(ctx: GapContext, score: number): ControlBand {
  const cb = ctx.input.rubric.rubric.control_bands
  return score >= cb.strong ? 'strong' : score >= cb.adequate ? 'adequate' : score >= cb.weak ? 'weak' : 'very_weak'
}

/** Red at 0, yellow at the rubric's "adequate" line, green at 100; the number itself stays readable in grey. */
function addScoreScale(ws: ExcelJS.Worksheet, ref: string, ctx: GapContext): void {
  ws.addConditionalFormatting({
    ref,
    rules: [
      {
        type: 'colorScale',
        priority: 1,
        cfvo: [
          { type: 'num', value: 0 },
          { type: 'num', value: ctx.input.rubric.rubric.control_bands.adequate },
          { type: 'num', value: 100 },
        ],
        color: [{ argb: 'FFF8696B' }, { argb: 'FFFFEB84' }, { argb: 'FF63BE7B' }],
      },
    ],
  })
}

function writeInherent(b: BlockSheet, ctx: GapContext): void {
  const inh = ctx.input.result.inherent
  const last = b.last
  b.heading('Inherent risk factors')
  const head = b.tableHeader(['Factor', 'Points', 'Answer', '', '', '', '', 'Basis'])
  b.ws.mergeCells(head.number, 3, head.number, last - 1)
  const answer = { from: 3, to: last - 1 }
  for (const f of inh.factors) {
    b.tableRow(
      [FACTOR_LABELS[f.factor], f.points, f.input, null, null, null, null, f.basis],
      [undefined, SCORE],
      answer,
    )
  }
  // Rubric 2026.2: what each group's cap took off the sum of its factors.
  for (const g of inh.groups ?? []) {
    if (g.removed <= 0) continue
    b.tableRow(
      [`${g.label}: capped at ${g.cap}`, -g.removed, `${g.raw} points from its factors`, null, null, null, null, null],
      [undefined, SCORE],
      answer,
    )
  }
  const capped = inh.uncapped > inh.score ? ` (${inh.uncapped} before the cap)` : ''
  const total = b.tableRow(
    [
      `Inherent risk, capped at ${ctx.input.rubric.rubric.inherent.cap}`,
      inh.score,
      INHERENT_BAND_LABELS[inh.band] + capped,
      null,
      null,
      null,
      null,
      null,
    ],
    [undefined, SCORE],
    answer,
  )
  b.bold(total)
  b.skip()
}

function writeCounts(b: BlockSheet, ctx: GapContext): void {
  const r = ctx.input.result
  const formats = [undefined, COUNT, COUNT, COUNT]
  b.heading('Red flags and gaps by severity')
  b.tableHeader(['Severity', 'Red flags', 'Gaps', "Of which don't know"])
  const flags = countBy(openRedFlags(r).map((f) => severityOf(ctx, f.question) ?? 'critical'))
  const gaps = countBy(r.gaps.map((g) => g.severity))
  const dontKnow = countBy(r.gaps.filter((g) => g.dontKnow).map((g) => g.severity))
  for (const s of SEVERITIES) {
    const row = b.tableRow([SEVERITY_SWATCHES[s].label, flags[s], gaps[s], dontKnow[s]], formats)
    paint(row.getCell(1), SEVERITY_SWATCHES[s])
  }
  const sum = (c: Record<Severity, number>) => SEVERITIES.reduce((n, s) => n + c[s], 0)
  b.bold(b.tableRow(['Total', sum(flags), sum(gaps), sum(dontKnow)], formats))
  const status = b.next()
  b.label(status, 'Red flag status')
  b.explain(status, 2, redFlagStatus(r))
  b.skip()
}

function redFlagStatus(r: ScoreResult): string {
  const n = (s: string) => r.redFlags.filter((f) => f.status === s).length
  const parts = [`${n('active')} active`]
  if (n('downgraded') > 0) parts.push(`${n('downgraded')} downgraded (recruitment fees under repayment)`)
  if (n('cleared') > 0) parts.push(`${n('cleared')} cleared (fees repaid, with evidence; not counted above)`)
  if (r.suspectedFlags.length > 0) parts.push(`${r.suspectedFlags.length} suspected by a reviewer, to verify`)
  return `${parts.join(', ')}.`
}

function writeRedFlagList(b: BlockSheet, ctx: GapContext): void {
  const groups = indicatorGroups(ctx)
  b.heading('Red flags by indicator')
  if (groups.length === 0) {
    styleMuted(b.line('No answer in this assessment is a red flag.'))
    return
  }
  for (const g of groups) {
    const row = b.next()
    b.label(row, g.label)
    b.explain(row, 2, indicatorSummary(ctx, g))
  }
  styleMuted(
    b.line(
      'What to do first: the Top actions sheet. Each answer, why it matters and what to do: the Red flags sheet. ' +
        'Every gap, by section: the Action plan sheet.',
    ),
  )
}

function countBy(items: Severity[]): Record<Severity, number> {
  const out: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 }
  for (const s of items) out[s]++
  return out
}
