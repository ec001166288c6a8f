import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { PassThrough, Writable } from 'node:stream'
import ExcelJS from 'exceljs'
import { beforeAll, describe, expect, it } from 'vitest'
import { generateAssessment } from '../../bench/generate.ts'
import { t } from '../../src/questionnaire/text.ts'
import { csvField, csvLine } from '../../src/reports/csv.ts'
import { CSV_FILES, writePortfolioCsvZip } from '../../src/reports/portfolio/csv-zip.ts'
import { GAP_COLUMNS, RED_FLAG_COLUMNS, SUPPLIER_COLUMNS } from '../../src/reports/portfolio/sheets.ts'
import { type PortfolioRow, writePortfolio } from '../../src/reports/portfolio/write.ts'
import { score } from '../../src/scoring/engine.ts'
import { compiled, rubric, rubricHash } from '../helpers/scoring.ts'
import { unzipParts } from '../helpers/zip.ts'

const employer = compiled('employer')
const SECTIONS = employer.cq.def.sections.filter((s) => !s.profile).map((s) => ({ id: s.id, title: t(s.title) }))
const RISKY_NAME = '=HYPERLINK("http://example.test","Best Supplier")'
const AWKWARD_NAME = 'Smith, "Jones" & Sons\nLtd'

function portfolio(): PortfolioRow[] {
  return Array.from({ length: 30 }, (_, i) => {
    const a = generateAssessment(employer.cq, 300 + i)
    const result =
      i === 4
        ? null
        : score({
            questionnaire: employer.cq,
            questionnaireHash: employer.hash,
            rubric,
            rubricHash,
            answers: a.answers,
            evidence: a.evidence,
          })
    return {
      supplier: {
        code: i === 1 ? '@SUP-1' : `SUP-${i}`,
        name: i === 0 ? RISKY_NAME : i === 2 ? AWKWARD_NAME : `Supplier ${i}`,
        country: ['TH', 'MY', null][i % 3] ?? null,
        sector: 'garment_textile',
      },
      assessment:
        i === 3
          ? null
          : {
              id: 500 + i,
              questionnaire: 'employer',
              version: employer.cq.def.version,
              status: result ? 'submitted' : 'draft',
              submittedAt: result ? '2026-04-02T08:00:00Z' : null,
              reviewedAt: i % 2 === 0 ? '2026-05-02 14:30:00' : null,
            },
      result: i === 3 ? null : result,
      openActions: i % 4,
      overdueActions: i % 2,
    }
  })
}

async function* iterate<T>(items: T[], failAt = -1): AsyncGenerator<T> {
  for (const [i, item] of items.entries()) {
    if (i === failAt) throw new Error('the database went away')
    yield item
  }
}

/** A destination that takes its time, so that back-pressure is exercised. */
function collector(): { out: Writable; buffer: () => Buffer } {
  const chunks: Buffer[] = []
  const out = new Writable({
    highWaterMark: 8 * 1024,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk)
      setImmediate(done)
    },
  })
  return { out, buffer: () => Buffer.concat(chunks) }
}

/** RFC 4180, written independently of the code under test. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      i++
    } else field += c
  }
  if (field || row.length) throw new Error('the last line has no CRLF')
  return rows
}

const OPTS = { brandName: 'Acme', generatedAt: new Date('2026-06-01T09:00:00Z'), sections: SECTIONS }

/** A workbook cell as the CSV file writes it. */
function asCsvText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return ''
  if (v instanceof Date) return v.toISOString().slice(0, 10)
  return String(v)
}

describe('portfolio lists as CSV files in a zip', () => {
  const rows = portfolio()
  let files: Map<string, Buffer>
  let wb: ExcelJS.Workbook

  beforeAll(async () => {
    const zip = collector()
    await writePortfolioCsvZip(zip.out, iterate(rows), OPTS)
    files = new Map(unzipParts(zip.buffer()).map((p) => [p.name, p.data]))
    const xlsx = collector()
    await writePortfolio(xlsx.out, iterate(rows), OPTS)
    wb = new ExcelJS.Workbook()
    await wb.xlsx.load(xlsx.buffer() as unknown as ArrayBuffer)
  })

  it('holds the four lists, each UTF-8 with a byte order mark, CRLF lines and the sheet’s header', () => {
    expect([...files.keys()]).toEqual([...CSV_FILES])
    for (const [name, data] of files) {
      expect([...data.subarray(0, 3)], name).toEqual([0xef, 0xbb, 0xbf])
      expect(data.toString('utf8').endsWith('\r\n'), name).toBe(true)
    }
    const header = (name: string) => parseCsv((files.get(name) as Buffer).toString('utf8').slice(1))[0]
    expect(header('suppliers.csv')).toEqual(SUPPLIER_COLUMNS.map((c) => c.header))
    expect(header('red-flags.csv')).toEqual(RED_FLAG_COLUMNS.map((c) => c.header))
    expect(header('gaps.csv')).toEqual(GAP_COLUMNS.map((c) => c.header))
  })

  it('has the same rows and cells as the workbook, sheet for file', () => {
    const pairs: [string, string][] = [
      ['suppliers.csv', 'Suppliers'],
      ['heat-map.csv', 'Heat map'],
      ['red-flags.csv', 'Red flags'],
      ['gaps.csv', 'Gaps'],
    ]
    const gaps = rows.reduce((n, r) => n + (r.result?.gaps.length ?? 0), 0)
    expect(gaps).toBeGreaterThan(100)
    for (const [file, sheetName] of pairs) {
      const csv = parseCsv((files.get(file) as Buffer).toString('utf8').slice(1))
      const ws = wb.getWorksheet(sheetName) as ExcelJS.Worksheet
      expect(csv.length, file).toBe(ws.rowCount)
      const width = csv[0]?.length ?? 0
      csv.forEach((line, r) => {
        expect(line.length, `${file} line ${r + 1}`).toBe(width)
        const cells = Array.from({ length: width }, (_, c) => asCsvText(ws.getRow(r + 1).getCell(c + 1).value))
        expect(line, `${file} line ${r + 1}`).toEqual(cells)
      })
    }
    expect(parseCsv((files.get('gaps.csv') as Buffer).toString('utf8').slice(1))).toHaveLength(gaps + 1)
  })

  it('starts no field with a formula, keeps commas, quotes and line breaks inside their field', () => {
    const suppliers = parseCsv((files.get('suppliers.csv') as Buffer).toString('utf8').slice(1))
    expect(suppliers[1]?.[1]).toBe(`'${RISKY_NAME}`)
    expect(suppliers[2]?.[0]).toBe("'@SUP-1")
    expect(suppliers[3]?.[1]).toBe(AWKWARD_NAME)
    for (const [name, data] of files)
      for (const line of parseCsv(data.toString('utf8').slice(1)))
        for (const field of line) {
          // A number may be negative; no text may start a formula.
          if (/^-?\d+(\.\d+)?$/.test(field)) continue
          expect(field, name).not.toMatch(/^[=+\-@\t\r]/)
        }
    // The field writer on its own.
    expect(csvField('=1+1')).toBe("'=1+1")
    expect(csvField('-x')).toBe("'-x")
    expect(csvField("'=1+1")).toBe("'=1+1")
    expect(csvField(-2.5)).toBe('-2.5')
    expect(csvField(new Date('2026-03-04T00:00:00Z'))).toBe('2026-03-04')
    expect(csvField('a "b", c')).toBe('"a ""b"", c"')
    expect(csvField(null)).toBe('')
    expect(csvLine(['x', 1, null])).toBe('x,1,\r\n')
  })

  it('fails, without hanging or leaving temporary files, when the input fails or the destination closes', async () => {
    const spools = () => readdirSync(tmpdir()).filter((f) => f.startsWith('fairhire-spool-')).length
    const before = spools()
    const broken = collector()
    await expect(writePortfolioCsvZip(broken.out, iterate(rows, 12), OPTS)).rejects.toThrow(/went away/)
    const closing = new PassThrough()
    closing.once('data', () => closing.destroy())
    await expect(writePortfolioCsvZip(closing, iterate(rows), OPTS)).rejects.toThrow(/closed before/)
    expect(spools()).toBe(before)
  })
})
