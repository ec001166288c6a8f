import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { Writable } from 'node:stream'
import ExcelJS from 'exceljs'
import { beforeAll, describe, expect, it } from 'vitest'
import { generateAssessment } from '../../bench/generate.ts'
import { t } from '../../src/questionnaire/text.ts'
import { GAP_COLUMNS, RED_FLAG_COLUMNS, SUPPLIER_COLUMNS } from '../../src/reports/portfolio/sheets.ts'
import { type PortfolioRow, writePortfolio } from '../../src/reports/portfolio/write.ts'
import { score } from '../../src/scoring/engine.ts'
import type { ScoreResult } from '../../src/scoring/result.schema.ts'
import { convertToPdf, OFFICE } from '../helpers/office.ts'
import { compiled, rubric, rubricHash } from '../helpers/scoring.ts'

const employer = compiled('employer')
const recruiter = compiled('recruiter')
const sectionsOf = (q: typeof employer) =>
  q.cq.def.sections.filter((s) => !s.profile).map((s) => ({ id: s.id, title: t(s.title) }))
const SECTIONS = [...sectionsOf(employer), ...sectionsOf(recruiter)]
const RISKY_NAME = '=HYPERLINK("http://example.test","Best Supplier")'

function scored(q: typeof employer, seed: number, suspected = false): ScoreResult {
  const a = generateAssessment(q.cq, seed)
  return score({
    questionnaire: q.cq,
    questionnaireHash: q.hash,
    rubric,
    rubricHash,
    answers: a.answers,
    evidence: a.evidence,
    suspected: suspected
      ? [{ reason: 'Workers say the dormitory manager keeps passports', indicator: 'retention_of_identity_documents' }]
      : [],
  })
}

/** 50 suppliers: employers and recruiters, one never assessed, one not yet scored, one with a risky name. */
function portfolio(): PortfolioRow[] {
  const rows: PortfolioRow[] = []
  for (let i = 0; i < 50; i++) {
    const q = i % 10 === 9 ? recruiter : employer
    const assessed = i !== 7
    const result = assessed && i !== 8 ? scored(q, 100 + i, i === 3) : null
    rows.push({
      supplier: {
        code: i === 5 ? null : i === 0 ? '+SUP-0' : `SUP-${i}`,
        name: i === 0 ? RISKY_NAME : `Supplier ${i}`,
        country: ['TH', 'MY', 'vn', null][i % 4] ?? null,
        sector: i % 3 === 0 ? 'seafood_fishing' : 'garment_textile',
      },
      assessment: assessed
        ? {
            id: 1000 + i,
            questionnaire: q.cq.def.id,
            version: q.cq.def.version,
            status: i === 8 ? 'draft' : 'in_review',
            submittedAt: i === 8 ? null : `2026-04-${String((i % 28) + 1).padStart(2, '0')}T08:00:00Z`,
            reviewedAt: i % 2 === 0 ? '2026-05-02 14:30:00' : null,
          }
        : null,
      result,
      openActions: i % 5,
      overdueActions: i % 2,
    })
  }
  return rows
}

async function* iterate<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item
}

/** A destination that takes its time, so back-pressure is exercised. */
function collector(delay = false): { out: Writable; buffer: () => Buffer } {
  const chunks: Buffer[] = []
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk)
      if (delay) setImmediate(done)
      else done()
    },
  })
  return { out, buffer: () => Buffer.concat(chunks) }
}

const OPTS = { brandName: 'Acme & Sons', generatedAt: new Date('2026-06-01T09:00:00Z'), sections: SECTIONS }

async function exported(rows: PortfolioRow[], delay = false): Promise<Buffer> {
  const { out, buffer } = collector(delay)
  await writePortfolio(out, iterate(rows), OPTS)
  return buffer()
}

function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name)
  if (!ws) throw new Error(`no sheet ${name}`)
  return ws
}

const headers = (ws: ExcelJS.Worksheet) => (ws.getRow(1).values as unknown[]).slice(1)
const column = (ws: ExcelJS.Worksheet, header: string) => headers(ws).indexOf(header) + 1
const cap = (s: string) => s[0]?.toUpperCase() + s.slice(1)

describe('portfolio risk spreadsheet', () => {
  const rows = portfolio()
  let buf: Buffer
  let wb: ExcelJS.Workbook
  let spoolsBefore: string[]

  beforeAll(async () => {
    spoolsBefore = readdirSync(tmpdir()).filter((f) => f.startsWith('fairhire-spool-'))
    buf = await exported(rows, true)
    wb = new ExcelJS.Workbook()
    await wb.xlsx.load(buf as unknown as ArrayBuffer)
  })

  it('has the four sheets, each with a frozen header row, filters and widths', () => {
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Suppliers', 'Heat map', 'Red flags', 'Gaps'])
    for (const ws of wb.worksheets) {
      expect(ws.views[0], ws.name).toMatchObject({ state: 'frozen', xSplit: 2, ySplit: 1 })
      expect(String(ws.autoFilter), ws.name).toMatch(/^A1:[A-Z]+\d+$/)
      expect(ws.getColumn(2).width, ws.name).toBeGreaterThan(20)
      expect(ws.getCell('A1').font?.bold, ws.name).toBe(true)
    }
    expect(headers(sheet(wb, 'Suppliers'))).toEqual(SUPPLIER_COLUMNS.map((c) => c.header))
    expect(headers(sheet(wb, 'Red flags'))).toEqual(RED_FLAG_COLUMNS.map((c) => c.header))
    expect(headers(sheet(wb, 'Gaps'))).toEqual(GAP_COLUMNS.map((c) => c.header))
    expect(sheet(wb, 'Suppliers').autoFilter).toBe('A1:S51')
    expect(wb.creator).toBe('Fairhire')
    expect(wb.title).toBe('Portfolio risk: Acme & Sons')
  })

  it('lists every supplier with the numbers the scoring engine gave, as numbers, and dates as dates', () => {
    const ws = sheet(wb, 'Suppliers')
    expect(ws.rowCount).toBe(51)
    rows.forEach((row, i) => {
      const r = ws.getRow(i + 2)
      const at = (header: string) => r.getCell(column(ws, header)).value
      expect(at('Supplier')).toBe(i === 0 ? `'${RISKY_NAME}` : row.supplier.name)
      expect(at('Open actions')).toBe(row.openActions)
      expect(at('Overdue actions')).toBe(row.overdueActions)
      const result = row.result
      if (!result) {
        expect(at('Rating')).toBeNull()
        expect(at('Control score')).toBeNull()
        return
      }
      expect(at('Rating')).toBe(cap(result.rating))
      expect(at('Control score')).toBe(result.control.overall)
      expect(at('Inherent risk')).toBe(cap(result.inherent.band))
      expect(at('Inherent risk score')).toBe(result.inherent.score)
      expect(at('Red flags')).toBe(result.redFlags.filter((f) => f.status !== 'cleared').length)
      expect(at('Gaps')).toBe(result.gaps.length)
      expect(at('Confidence')).toBe(cap(result.confidence.level))
      expect(at('Assessment ID')).toBe(row.assessment?.id)
      expect(at('Questionnaire')).toBe(row.assessment?.questionnaire)
    })
    const first = ws.getRow(2)
    expect(first.getCell(column(ws, 'Submitted')).value).toEqual(new Date('2026-04-01T08:00:00Z'))
    expect(first.getCell(column(ws, 'Submitted')).numFmt).toBe('yyyy-mm-dd')
    expect(first.getCell(column(ws, 'Reviewed')).value).toEqual(new Date('2026-05-02T14:30:00Z'))
    expect(first.getCell(column(ws, 'Control score')).numFmt).toBe('0.0')
    expect(first.getCell(column(ws, 'Country')).value).toBe('Thailand')
    expect(ws.getRow(4).getCell(column(ws, 'Country')).value).toBe('Vietnam')
    expect(ws.getRow(9).getCell(column(ws, 'Status')).value).toBe('No assessment')
    expect(ws.getRow(10).getCell(column(ws, 'Status')).value).toBe('Draft')
    expect(ws.getRow(7).getCell(column(ws, 'Internal code')).value).toBeNull()
  })

  it('never writes text as a formula', () => {
    for (const ws of wb.worksheets) {
      ws.eachRow((row) =>
        row.eachCell((cell) => {
          expect(cell.type, `${ws.name}!${cell.address}`).not.toBe(ExcelJS.ValueType.Formula)
        }),
      )
    }
    const code = sheet(wb, 'Suppliers').getCell('A2')
    expect(code.type).toBe(ExcelJS.ValueType.String)
    expect(code.value).toBe("'+SUP-0")
    expect(sheet(wb, 'Gaps').getCell('B2').value).toBe(`'${RISKY_NAME}`)
  })

  it('colours ratings, with the word in the cell for grey-scale prints', () => {
    const ws = sheet(wb, 'Suppliers')
    const rating = column(ws, 'Rating')
    for (let r = 2; r <= ws.rowCount; r++) {
      const cell = ws.getCell(r, rating)
      if (cell.value === null) continue
      expect(['Low', 'Medium', 'High', 'Critical']).toContain(cell.value)
      expect(cell.fill).toMatchObject({ type: 'pattern', pattern: 'solid' })
    }
  })

  it('puts section control scores in a supplier × section heat map with a colour scale', () => {
    const ws = sheet(wb, 'Heat map')
    expect(headers(ws).slice(5)).toEqual(SECTIONS.map((s) => `${s.id} ${s.title}`))
    rows.forEach((row, i) => {
      const r = ws.getRow(i + 2)
      expect(r.getCell(2).value).toBe(i === 0 ? `'${RISKY_NAME}` : row.supplier.name)
      expect(r.getCell(5).value).toBe(row.result?.control.overall ?? null)
      SECTIONS.forEach((s, k) => {
        const section = row.result?.control.sections.find((x) => x.id === s.id)
        const expected = section?.applicable ? section.score : null
        expect(r.getCell(6 + k).value, `${row.supplier.name} ${s.id}`).toBe(expected ?? null)
      })
    })
    // Read back by exceljs, though its typings do not declare it.
    const cf = (ws as unknown as { conditionalFormattings: ExcelJS.ConditionalFormattingOptions[] })
      .conditionalFormattings
    expect(cf).toHaveLength(1)
    expect(cf[0]?.ref).toBe(`E2:${ws.getColumn(5 + SECTIONS.length).letter}51`)
    expect(cf[0]?.rules[0]).toMatchObject({ type: 'colorScale' })
  })

  it('lists every red flag and every gap in long form, supplier columns repeated', () => {
    const flags = sheet(wb, 'Red flags')
    const gaps = sheet(wb, 'Gaps')
    const scoredRows = rows.filter((r) => r.result)
    const flagCount = scoredRows.reduce(
      (n, r) => n + (r.result?.redFlags.length ?? 0) + (r.result?.suspectedFlags.length ?? 0),
      0,
    )
    const gapCount = scoredRows.reduce((n, r) => n + (r.result?.gaps.length ?? 0), 0)
    expect(flags.rowCount).toBe(flagCount + 1)
    expect(gaps.rowCount).toBe(gapCount + 1)

    // Gaps of one supplier, in the engine's order, with its own numbers.
    const target = rows[4] as PortfolioRow
    const mine: ExcelJS.Row[] = []
    gaps.eachRow((row, n) => {
      if (n > 1 && row.getCell(1).value === target.supplier.code) mine.push(row)
    })
    const expected = target.result?.gaps ?? []
    expect(mine.map((r) => r.getCell(column(gaps, 'Question')).value)).toEqual(expected.map((g) => g.question))
    expect(mine.map((r) => r.getCell(column(gaps, 'Credit')).value)).toEqual(expected.map((g) => g.credit))
    expect(mine.map((r) => r.getCell(column(gaps, 'Severity')).value)).toEqual(expected.map((g) => cap(g.severity)))
    for (const r of mine) {
      expect(r.getCell(column(gaps, 'Supplier')).value).toBe(target.supplier.name)
      expect(r.getCell(column(gaps, 'Rating')).value).toBe(cap(target.result?.rating ?? ''))
    }

    const suspected: unknown[] = []
    flags.eachRow((row) => {
      if (row.getCell(column(flags, 'Status')).value === 'Suspected') suspected.push(row.values)
    })
    // The reviewer's suspected flag, and those the rubric's consistency rules raised on the generated answers.
    expect(suspected).toHaveLength(scoredRows.reduce((n, r) => n + (r.result?.suspectedFlags.length ?? 0), 0))
    expect(scoredRows.some((r) => r.result?.suspectedFlags.some((f) => !f.rule))).toBe(true)
  })

  it('removes its temporary files', () => {
    const after = readdirSync(tmpdir()).filter((f) => f.startsWith('fairhire-spool-'))
    expect(after.filter((f) => !spoolsBefore.includes(f))).toEqual([])
  })
})

describe('portfolio risk spreadsheet: failures', () => {
  it('rejects when the input fails, and cleans up', async () => {
    const before = readdirSync(tmpdir()).filter((f) => f.startsWith('fairhire-spool-'))
    async function* broken(): AsyncGenerator<PortfolioRow> {
      yield portfolio()[1] as PortfolioRow
      throw new Error('database went away')
    }
    const { out } = collector()
    await expect(writePortfolio(out, broken(), OPTS)).rejects.toThrow('database went away')
    out.destroy()
    const after = readdirSync(tmpdir()).filter((f) => f.startsWith('fairhire-spool-'))
    expect(after.filter((f) => !before.includes(f))).toEqual([])
  })

  it('writes a valid workbook for an empty portfolio', async () => {
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load((await exported([])) as unknown as ArrayBuffer)
    expect(wb.worksheets.map((w) => w.rowCount)).toEqual([1, 1, 1, 1])
  })
})

describe('portfolio risk spreadsheet in LibreOffice', () => {
  it.skipIf(OFFICE === null)(
    'converts to PDF without complaint',
    async () => {
      const res = convertToPdf(await exported(portfolio().slice(0, 12)), 'portfolio')
      expect(res.status, res.stderr).toBe(0)
      expect(res.pdf).toBe(true)
    },
    120_000,
  )
})
