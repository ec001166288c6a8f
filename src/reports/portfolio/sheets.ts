import { COUNTRIES } from '../../questionnaire/countries.ts'
import { GAP_TYPES, INDICATORS } from '../../questionnaire/vocabulary.ts'
import { openRedFlagCount } from '../../scoring/open-red-flags.ts'
import type { ScoreResult } from '../../scoring/result.schema.ts'
import { safeText } from '../xlsx/cell-safety.ts'

/**
 * What goes in each column of the portfolio spreadsheet. Rows are plain arrays of cell values, so the
 * long-form sheets can be spooled to disk as JSON and written later without knowing about suppliers.
 */

export type PortfolioRow = {
  supplier: { code: string | null; name: string; country: string | null; sector: string | null }
  assessment: {
    id: number
    questionnaire: string
    version: string
    status: string
    submittedAt: string | null
    reviewedAt: string | null
  } | null
  result: ScoreResult | null
  openActions: number
  overdueActions: number
}

export type Cell = string | number | Date | null

/** How a column's cells are stored and shown; the writer picks one shared style per kind. */
export type Kind = 'text' | 'id' | 'count' | 'score' | 'decimal' | 'date' | 'rating' | 'severity'
export type Column = { header: string; width: number; kind: Kind }

const cap = (s: string) => (s ? s[0]?.toUpperCase() + s.slice(1).replace(/_/g, ' ') : s)

/** "2026-05-01", "2026-05-01T10:00:00Z" and SQLite's "2026-05-01 10:00:00" (UTC) all become dates. */
export function toDate(s: string | null): Date | null {
  if (!s) return null
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s.replace(' ', 'T')
  const zoned = /[zZ]|[+-]\d{2}:?\d{2}$/.test(iso.slice(10)) ? iso : `${iso}Z`
  const d = new Date(zoned)
  return Number.isNaN(d.getTime()) ? null : d
}

/** Text through the formula guard; empty text becomes an empty cell rather than an empty string. */
const txt = (s: string | null | undefined): string | null => safeText(s) || null

const countryName = (code: string | null) => (code ? (COUNTRIES[code.toUpperCase()] ?? code) : '')

// ---------------------------------------------------------------------------------------------------
// Suppliers

export const SUPPLIER_COLUMNS: Column[] = [
  { header: 'Internal code', width: 14, kind: 'text' },
  { header: 'Supplier', width: 34, kind: 'text' },
  { header: 'Country', width: 20, kind: 'text' },
  { header: 'Sector', width: 22, kind: 'text' },
  { header: 'Questionnaire', width: 16, kind: 'text' },
  { header: 'Version', width: 10, kind: 'text' },
  { header: 'Status', width: 14, kind: 'text' },
  { header: 'Submitted', width: 12, kind: 'date' },
  { header: 'Reviewed', width: 12, kind: 'date' },
  { header: 'Rating', width: 11, kind: 'rating' },
  { header: 'Control score', width: 10, kind: 'score' },
  { header: 'Inherent risk', width: 10, kind: 'text' },
  { header: 'Inherent risk score', width: 10, kind: 'decimal' },
  { header: 'Red flags', width: 9, kind: 'count' },
  { header: 'Gaps', width: 8, kind: 'count' },
  { header: 'Confidence', width: 11, kind: 'text' },
  { header: 'Open actions', width: 9, kind: 'count' },
  { header: 'Overdue actions', width: 9, kind: 'count' },
  { header: 'Assessment ID', width: 11, kind: 'id' },
]

export function supplierCells(row: PortfolioRow): Cell[] {
  const { supplier: s, assessment: a, result: r } = row
  return [
    txt(s.code),
    txt(s.name),
    txt(countryName(s.country)),
    txt(s.sector),
    a ? txt(a.questionnaire) : null,
    a ? txt(a.version) : null,
    a ? txt(cap(a.status)) : 'No assessment',
    toDate(a?.submittedAt ?? null),
    toDate(a?.reviewedAt ?? null),
    r ? cap(r.rating) : null,
    r?.control.overall ?? null,
    r ? cap(r.inherent.band) : null,
    r ? r.inherent.score : null,
    r ? openRedFlagCount(r) : null,
    r ? r.gaps.length : null,
    r ? cap(r.confidence.level) : null,
    row.openActions,
    row.overdueActions,
    a?.id ?? null,
  ]
}

// ---------------------------------------------------------------------------------------------------
// Heat map

const HEAT_KEY_COLUMNS: Column[] = [
  { header: 'Internal code', width: 14, kind: 'text' },
  { header: 'Supplier', width: 34, kind: 'text' },
  { header: 'Country', width: 18, kind: 'text' },
  { header: 'Rating', width: 11, kind: 'rating' },
  { header: 'Overall', width: 9, kind: 'score' },
]
/** The first column of section scores (1-based), where the colour scale starts. */
export const HEAT_FIRST_SCORE_COLUMN = HEAT_KEY_COLUMNS.length

export function heatMapColumns(sections: readonly { id: string; title: string }[]): Column[] {
  return [
    ...HEAT_KEY_COLUMNS,
    ...sections.map((s) => ({ header: safeText(`${s.id} ${s.title}`), width: 15, kind: 'score' as const })),
  ]
}

export function heatMapCells(row: PortfolioRow, sections: readonly { id: string }[]): Cell[] {
  const r = row.result
  const scores = new Map(r?.control.sections.map((s) => [s.id, s.applicable ? s.score : null]))
  return [
    txt(row.supplier.code),
    txt(row.supplier.name),
    txt(countryName(row.supplier.country)),
    r ? cap(r.rating) : null,
    r?.control.overall ?? null,
    ...sections.map((s) => scores.get(s.id) ?? null),
  ]
}

// ---------------------------------------------------------------------------------------------------
// Long form: the supplier columns repeated on every row, so a pivot table needs no lookup.

export const KEY_COLUMNS: Column[] = [
  { header: 'Internal code', width: 14, kind: 'text' },
  { header: 'Supplier', width: 30, kind: 'text' },
  { header: 'Country', width: 18, kind: 'text' },
  { header: 'Sector', width: 20, kind: 'text' },
  { header: 'Questionnaire', width: 14, kind: 'text' },
  { header: 'Rating', width: 11, kind: 'rating' },
]

export function keyCells(row: PortfolioRow): Cell[] {
  return [
    txt(row.supplier.code),
    txt(row.supplier.name),
    txt(countryName(row.supplier.country)),
    txt(row.supplier.sector),
    row.assessment ? txt(row.assessment.questionnaire) : null,
    row.result ? cap(row.result.rating) : null,
  ]
}

export const RED_FLAG_COLUMNS: Column[] = [
  ...KEY_COLUMNS,
  { header: 'Question', width: 10, kind: 'text' },
  { header: 'Section', width: 9, kind: 'text' },
  { header: 'Question text', width: 50, kind: 'text' },
  { header: 'Answer', width: 30, kind: 'text' },
  { header: 'Indicator', width: 26, kind: 'text' },
  { header: 'Status', width: 12, kind: 'text' },
  { header: 'Escalates', width: 10, kind: 'text' },
  { header: 'Why it matters', width: 50, kind: 'text' },
  { header: 'Immediate action', width: 50, kind: 'text' },
  { header: 'Timeframe', width: 18, kind: 'text' },
]

export function redFlagCells(r: ScoreResult): Cell[][] {
  const rows: Cell[][] = r.redFlags.map((f) => [
    f.question,
    f.section,
    txt(f.questionText),
    txt(f.answerLabel),
    f.indicatorLabel,
    cap(f.status),
    f.escalates ? 'Yes' : 'No',
    txt(f.why),
    txt(f.action),
    txt(f.timeframe),
  ])
  for (const s of r.suspectedFlags) {
    rows.push([
      s.question,
      null,
      null,
      null,
      s.indicator ? INDICATORS[s.indicator] : null,
      'Suspected',
      'No',
      txt(s.reason),
      null,
      null,
    ])
  }
  return rows
}

export const GAP_COLUMNS: Column[] = [
  ...KEY_COLUMNS,
  { header: 'Question', width: 10, kind: 'text' },
  { header: 'Section', width: 9, kind: 'text' },
  { header: 'Section title', width: 26, kind: 'text' },
  { header: 'Question text', width: 50, kind: 'text' },
  { header: 'Answer', width: 30, kind: 'text' },
  { header: 'Severity', width: 10, kind: 'severity' },
  { header: 'Red flag', width: 9, kind: 'text' },
  { header: "Don't know", width: 9, kind: 'text' },
  { header: 'Gap type', width: 28, kind: 'text' },
  { header: 'Credit', width: 8, kind: 'decimal' },
  { header: 'Recommended action', width: 50, kind: 'text' },
  { header: 'Timeframe', width: 18, kind: 'text' },
  { header: 'Days', width: 7, kind: 'count' },
  { header: 'Standards', width: 30, kind: 'text' },
]

export function gapCells(r: ScoreResult): Cell[][] {
  return r.gaps.map((g) => [
    g.question,
    g.section,
    txt(g.sectionTitle),
    txt(g.questionText),
    txt(g.answerLabel),
    cap(g.severity),
    g.redFlag ? 'Yes' : 'No',
    g.dontKnow ? 'Yes' : 'No',
    g.gapType ? GAP_TYPES[g.gapType] : null,
    g.credit,
    txt(g.action),
    txt(g.timeframe),
    g.days,
    txt(g.sources.join('; ')),
  ])
}
