import ExcelJS from 'exceljs'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db/connection.ts'
import { checkAnswers, type RawAnswer } from '../../src/questionnaire/answers.ts'
import { t as label } from '../../src/questionnaire/text.ts'
import { DUE_DATE_MAX, DUE_DATE_MIN, NOTES_MAX_LENGTH, OWNER_MAX_LENGTH } from '../../src/reports/action-plan/layout.ts'
import { COUNTRY_NAMES } from '../../src/reports/questionnaire-workbook/layout.ts'
import { testApp } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { tableDigests } from '../helpers/db-state.ts'
import { bestAnswers, compiled, PROFILE } from '../helpers/scoring.ts'
import { buildWorld, PASSWORD } from '../helpers/world.ts'
import { unzipParts as unzip, zipParts as zip } from '../helpers/zip.ts'

/**
 * Property-based fuzzing of the two workbook uploads: the offline questionnaire
 * (POST /assessments/:id/questionnaire.xlsx) and the gap report's action plan
 * (POST /assessments/:id/action-plan.xlsx). Each case starts from a workbook the app itself exported and
 * changes it the way people and programs do: any kind of cell value (odd and huge text, control
 * characters, lone surrogates, text that looks like a formula, numbers, dates, booleans, rich text,
 * formulas, errors, hyperlinks), deleted, inserted, duplicated and moved rows, deleted and inserted
 * columns, renamed, deleted and added sheets, edited hidden ids and metadata; or damages the file itself
 * (the zip's bytes cut, flipped or padded, the XML of its parts edited, bytes that are no zip at all).
 * Whatever arrives:
 *  - the answer is never a 5xx;
 *  - a refused upload changes no data, and says what is wrong: the sheet and cell of each problem, or a
 *    reason about the file as a whole;
 *  - an accepted upload stores only what the rules accept (checkAnswers for the questionnaire; the owner,
 *    due date, status and notes rules for the action plan), leaves every row it did not edit as it was
 *    in the file, and writes the audit log.
 *
 * `npm test` runs FAIRHIRE_FUZZ_RUNS cases per property (25 by default) from a fixed seed, so it is
 * repeatable; `npm run fuzz` runs 500 from a random seed. FAIRHIRE_FUZZ_SEED replays a failure.
 */
const RUNS = Number(process.env.FAIRHIRE_FUZZ_RUNS ?? 25)
const SEED = process.env.FAIRHIRE_FUZZ_SEED
  ? Number(process.env.FAIRHIRE_FUZZ_SEED)
  : process.env.FAIRHIRE_FUZZ_RUNS
    ? undefined
    : 20261205
/** fast-check's report, with long runs of one character (the huge text cases) shortened to stay readable. */
function reporter<T>(details: fc.RunDetails<T>): void {
  if (!details.failed) return
  const message = (fc.defaultReportMessage(details) ?? 'The property failed.').replace(
    /(.{1,2}?)\1{99,}/gsu,
    (run, unit: string) => `${unit.repeat(3)}…(${run.length} characters)`,
  )
  throw new Error(message, { cause: details.errorInstance })
}
const params = <T>(): fc.Parameters<T> => ({
  numRuns: RUNS,
  reporter: reporter<T>,
  ...(SEED === undefined ? {} : { seed: SEED }),
})
// About 150 ms a case here (open, edit and save the workbook, upload it, compare the tables).
const TIMEOUT = 30_000 + RUNS * 1_000

const { cq } = compiled('employer')
const DATA_TABLES = [
  'answer',
  'action_item',
  'audit_log',
  'assessment',
  'score_snapshot',
  'review_decision',
  'evidence',
  'suspected_flag',
  'assessment_access',
]
const LONE_SURROGATE = /\p{Cs}/u

// Cell values -----------------------------------------------------------------------------------------

const oddText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  // Control characters and lone surrogates.
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\n',
    '\u0000',
    '\u0001x',
    '\u001f',
    '\u007f',
    '\ufffe',
    '\uffff',
    'a\ud800b',
    '\udfff',
    '\u202eevil',
    '\ufeffYes',
    '𝕏👩🏽‍🔧',
    '=1+1',
    '=HYPERLINK("http://example.com","click")',
    "'=1+1",
    '+66 2 555 0100',
    '-2+3',
    '@SUM(A1:A2)',
    '\t=cmd|calc',
    '\r=cmd|calc',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e400',
    '-0',
    '0x10',
    ' 12 ',
    '1,5',
    '12abc',
    'TRUE',
    'Yes',
    'yes',
    ' YES ',
    'No; Yes',
    'a;;b',
    'Partly',
    'Open',
    'In progress',
    'in-progress',
    'DONE',
    'Verified',
    '2026-06-30',
    '2026-02-30',
    '1999-12-31',
    '2101-01-01',
    '30/06/2026',
    'Thailand',
    'th',
    'Narnia',
    '<script>alert(1)</script>',
    ']]>',
    '&amp;',
    "'; drop table answer; --",
  ),
  // Huge text, around every limit an upload has (200, 4,000, 5,000, 10,000, 32,767) and beyond.
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.oneof(
          fc.constantFrom(200, 4_000, 5_000, 10_000, 32_767).chain((n) => fc.integer({ min: n - 1, max: n + 1 })),
          fc.integer({ min: 190, max: 40_000 }),
        ),
        fc.constantFrom('x', ' x', 'é', '😀', 'a\n'),
      )
      .map(([n, c]) => c.repeat(Math.ceil(n / c.length))),
  },
)

const ERRORS = ['#N/A', '#REF!', '#NAME?', '#DIV/0!', '#NULL!', '#VALUE!', '#NUM!'] as const
const oddNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1, 2, 7, 100, 1e12, 1e308, -1e308, 5e-324, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY),
)
const rawValue: fc.Arbitrary<ExcelJS.CellValue> = fc.oneof(
  { weight: 5, arbitrary: oddText },
  fc.constant(null),
  oddNumber,
  fc.date({ min: new Date('1850-01-01T00:00:00Z'), max: new Date('2250-12-31T00:00:00Z'), noInvalidDate: true }),
  fc.boolean(),
  fc
    .array(fc.record({ text: oddText, bold: fc.boolean() }), { minLength: 1, maxLength: 3 })
    .map((parts) => ({ richText: parts.map((p) => ({ text: p.text, font: { bold: p.bold } })) })),
  fc.record({
    formula: fc.constantFrom('1+1', 'A1', 'NOW()', '1/0', '"Ye"&"s"', 'HYPERLINK("http://example.com")', 'Lists!A2'),
    result: fc.option(
      fc.oneof(
        oddText,
        fc.integer(),
        fc.boolean(),
        fc.constantFrom(...ERRORS).map((error) => ({ error })),
      ),
      { nil: undefined },
    ),
  }),
  fc.constantFrom(...ERRORS).map((error) => ({ error })),
  fc.record({
    text: oddText,
    hyperlink: fc.constantFrom('http://example.com', 'mailto:a@example.com', 'javascript:alert(1)', '#Answers!A1'),
  }),
) as fc.Arbitrary<ExcelJS.CellValue>

/** A value that is right for the cell it lands in (decided when applied), or any value at all. */
type Value = { kind: 'fitting'; pick: number } | { kind: 'raw'; value: ExcelJS.CellValue }
const value: fc.Arbitrary<Value> = fc.oneof(
  { weight: 3, arbitrary: fc.nat().map((pick) => ({ kind: 'fitting' as const, pick })) },
  { weight: 4, arbitrary: rawValue.map((v) => ({ kind: 'raw' as const, value: v })) },
)

// Edits of a workbook ---------------------------------------------------------------------------------

/** Where an edit lands: the cells people fill in, the hidden ids and metadata, or anywhere. */
type Zone = 'input' | 'hidden' | 'anywhere'
type Edit =
  | { kind: 'set'; zone: Zone; sheet: number; row: number; col: number; value: Value }
  | { kind: 'deleteRows'; main: boolean; sheet: number; row: number; count: number }
  | { kind: 'insertRow'; main: boolean; sheet: number; row: number; values: Value[] }
  | { kind: 'duplicateRow'; row: number }
  | { kind: 'swapRows'; row: number; other: number }
  | { kind: 'deleteColumn' | 'insertColumn'; main: boolean; sheet: number; col: number }
  | { kind: 'renameSheet'; sheet: number; name: string }
  | { kind: 'deleteSheet'; sheet: number }
  | { kind: 'addSheet'; name: string }
  | { kind: 'far'; row: number; col: number; value: Value }

const sheetName = fc.oneof(
  fc.constantFrom('Answers', 'Action plan', 'Meta', 'Lists', 'answers', 'Action Plan', 'Sheet1', 'Answers ', ''),
  fc.string({ minLength: 1, maxLength: 40 }),
)
const edit: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      zone: fc.constantFrom<Zone>('input', 'input', 'input', 'input', 'hidden', 'anywhere'),
      sheet: fc.nat(),
      row: fc.nat(),
      col: fc.nat(),
      value,
    }),
  },
  fc.record({
    kind: fc.constant('deleteRows' as const),
    main: fc.boolean(),
    sheet: fc.nat(),
    row: fc.nat(),
    count: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('insertRow' as const),
    main: fc.boolean(),
    sheet: fc.nat(),
    row: fc.nat(),
    values: fc.array(value, { maxLength: 16 }),
  }),
  fc.record({ kind: fc.constant('duplicateRow' as const), row: fc.nat() }),
  fc.record({ kind: fc.constant('swapRows' as const), row: fc.nat(), other: fc.nat() }),
  fc.record({
    kind: fc.constantFrom('deleteColumn' as const, 'insertColumn' as const),
    main: fc.boolean(),
    sheet: fc.nat(),
    col: fc.nat(),
  }),
  fc.record({ kind: fc.constant('renameSheet' as const), sheet: fc.nat(), name: sheetName }),
  fc.record({ kind: fc.constant('deleteSheet' as const), sheet: fc.nat() }),
  fc.record({ kind: fc.constant('addSheet' as const), name: sheetName }),
  fc.record({
    kind: fc.constant('far' as const),
    row: fc.constantFrom(1, 200, 5_000, 100_000, 1_048_576),
    col: fc.constantFrom(1, 2, 4, 5, 12, 13, 14, 15, 16, 100, 16_384),
    value,
  }),
)
const edits = fc.array(edit, { minLength: 1, maxLength: 4 })

/** What a fuzzed upload needs to know about one kind of workbook. */
type Kind = {
  name: 'questionnaire' | 'action plan'
  url: () => string
  sheet: string
  firstRow: number
  inputColumns: number[]
  /** Hidden cells: [sheet, row, column] candidates. */
  hiddenCells: (wb: ExcelJS.Workbook) => [ExcelJS.Worksheet, number, number][]
  /** A value right for this cell: a label of the question's list, a date, a status... */
  fitting: (ws: ExcelJS.Worksheet, row: number, col: number, pick: number) => ExcelJS.CellValue
  /** What a row of the main sheet stands for (a question id, an action id), if anything. */
  rowKey: (ws: ExcelJS.Worksheet, row: number) => string | null
}

const plainValue = (v: ExcelJS.CellValue): string => {
  if (v === null || v === undefined) return ''
  if (typeof v === 'object' && !(v instanceof Date)) return JSON.stringify(v)
  return String(v)
}

/**
 * Applies the edits to a fresh copy of the workbook and saves it; returns the bytes and the keys of the
 * rows an edit touched, or null when exceljs itself cannot apply or save the edits (not a case of the app).
 */
async function applyEdits(
  base: Buffer,
  kind: Kind,
  list: Edit[],
): Promise<{ data: Buffer; touched: Set<string>; described: string[] } | null> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(base as unknown as ArrayBuffer)
  const touched = new Set<string>()
  const described: string[] = []
  const main = () => wb.getWorksheet(kind.sheet)
  const pickSheet = (n: number) => wb.worksheets[n % Math.max(1, wb.worksheets.length)]
  const touch = (ws: ExcelJS.Worksheet, row: number) => {
    if (ws.name !== kind.sheet) return
    const key = kind.rowKey(ws, row)
    if (key) touched.add(key)
  }
  const resolve = (v: Value, ws: ExcelJS.Worksheet, row: number, col: number): ExcelJS.CellValue =>
    v.kind === 'raw' ? v.value : kind.fitting(ws, row, col, v.pick)
  // A cell far down is typed last: exceljs would otherwise walk a million rows for each row or column edit.
  const ordered = [...list.filter((e) => e.kind !== 'far'), ...list.filter((e) => e.kind === 'far')]
  for (const e of ordered) {
    try {
      switch (e.kind) {
        case 'set': {
          let ws: ExcelJS.Worksheet | undefined
          let row: number
          let col: number
          if (e.zone === 'input' && main()) {
            ws = main() as ExcelJS.Worksheet
            row = kind.firstRow + (e.row % Math.max(1, ws.rowCount - kind.firstRow + 1))
            col = kind.inputColumns[e.col % kind.inputColumns.length] as number
          } else if (e.zone === 'hidden' && kind.hiddenCells(wb).length > 0) {
            const cells = kind.hiddenCells(wb)
            ;[ws, row, col] = cells[e.row % cells.length] as [ExcelJS.Worksheet, number, number]
          } else {
            ws = pickSheet(e.sheet)
            if (!ws) break
            row = 1 + (e.row % (ws.rowCount + 3))
            col = 1 + (e.col % (ws.columnCount + 2))
          }
          touch(ws, row)
          const v = resolve(e.value, ws, row, col)
          ws.getCell(row, col).value = v
          touch(ws, row)
          described.push(`set ${ws.name}!${ws.getCell(row, col).address} = ${plainValue(v).slice(0, 80)}`)
          break
        }
        case 'deleteRows': {
          const ws = e.main ? main() : pickSheet(e.sheet)
          if (!ws) break
          const row = 1 + (e.row % (ws.rowCount + 1))
          for (let r = row; r < row + e.count; r++) touch(ws, r)
          ws.spliceRows(row, e.count)
          described.push(`delete rows ${ws.name}!${row}:${row + e.count - 1}`)
          break
        }
        case 'insertRow': {
          const ws = e.main ? main() : pickSheet(e.sheet)
          if (!ws) break
          const row = 1 + (e.row % (ws.rowCount + 1))
          ws.insertRow(row, [])
          e.values.forEach((v, i) => {
            ws.getCell(row, i + 1).value = resolve(v, ws, row, i + 1)
          })
          touch(ws, row)
          described.push(`insert row ${ws.name}!${row} (${e.values.length} values)`)
          break
        }
        case 'duplicateRow': {
          const ws = main()
          if (!ws) break
          const row = kind.firstRow + (e.row % Math.max(1, ws.rowCount - kind.firstRow + 1))
          touch(ws, row)
          ws.duplicateRow(row, 1, true)
          described.push(`duplicate row ${ws.name}!${row}`)
          break
        }
        case 'swapRows': {
          // Sorting the sheet: whole rows move, with their hidden keys.
          const ws = main()
          if (!ws) break
          const span = Math.max(1, ws.rowCount - kind.firstRow + 1)
          const a = kind.firstRow + (e.row % span)
          const b = kind.firstRow + (e.other % span)
          const va = ws.getRow(a).values
          const vb = ws.getRow(b).values
          ws.getRow(a).values = vb
          ws.getRow(b).values = va
          described.push(`swap rows ${ws.name}!${a} and ${b}`)
          break
        }
        case 'deleteColumn':
        case 'insertColumn': {
          const ws = e.main ? main() : pickSheet(e.sheet)
          if (!ws) break
          const col = 1 + (e.col % (ws.columnCount + 1))
          if (e.kind === 'deleteColumn') ws.spliceColumns(col, 1)
          else ws.spliceColumns(col, 0, [])
          described.push(`${e.kind} ${ws.name}!${col}`)
          break
        }
        case 'renameSheet': {
          const ws = pickSheet(e.sheet)
          if (!ws) break
          described.push(`rename sheet ${ws.name} to ${JSON.stringify(e.name)}`)
          ws.name = e.name
          break
        }
        case 'deleteSheet': {
          const ws = pickSheet(e.sheet)
          if (!ws) break
          described.push(`delete sheet ${ws.name}`)
          wb.removeWorksheet(ws.id)
          break
        }
        case 'addSheet':
          wb.addWorksheet(e.name).getCell('A1').value = 'added'
          described.push(`add sheet ${JSON.stringify(e.name)}`)
          break
        case 'far': {
          const ws = main() ?? pickSheet(0)
          if (!ws) break
          ws.getCell(e.row, e.col).value = resolve(e.value, ws, e.row, e.col)
          described.push(`set far ${ws.name}!${ws.getCell(e.row, e.col).address}`)
          break
        }
      }
    } catch {
      // exceljs refuses some edits (a sheet name Excel does not allow, say): the file stays without it.
    }
  }
  try {
    return { data: Buffer.from(await wb.xlsx.writeBuffer()), touched, described }
  } catch {
    return null
  }
}

// The zip, part by part -------------------------------------------------------------------------------

// unzip and zip: tests/helpers/zip.ts

// Damage to the file ----------------------------------------------------------------------------------

type Damage =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number[]; mask: number }
  | { kind: 'append' | 'prepend' | 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'zero'; at: number; length: number }
  | { kind: 'dropPart'; part: number }
  | { kind: 'xmlText'; part: number; at: number; text: string }
  | { kind: 'xmlAttribute'; part: number; at: number; text: string }
  | { kind: 'xmlCut'; part: number; at: number }
  | { kind: 'xmlEntities'; part: number; entity: 'laughs' | 'external' }
  | { kind: 'xmlRange'; part: number; where: 'merge' | 'validation' | 'name'; range: string; escaped: boolean }
  | { kind: 'noZip'; bytes: Uint8Array }

const ATTRIBUTES = [
  'XFD1048576',
  'A0',
  'ZZZZ1',
  '-1',
  '',
  '1048577',
  's',
  'e',
  'b',
  'str',
  'inlineStr',
  'n',
  'd',
  '999999',
  '-5',
  'NaN',
  'veryHidden',
  'A1:XFD1048576',
  '../../etc/passwd',
]
const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
    mask: fc.integer({ min: 1, max: 255 }),
  }),
  fc.record({
    kind: fc.constantFrom('append' as const, 'prepend' as const, 'insert' as const),
    at: fc.nat(),
    bytes: fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      fc.constantFrom(
        Uint8Array.from([0x50, 0x4b, 0x05, 0x06]),
        Uint8Array.from([0x50, 0x4b, 0x03, 0x04]),
        new Uint8Array(22),
      ),
    ),
  }),
  fc.record({ kind: fc.constant('zero' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 512 }) }),
  fc.record({ kind: fc.constant('dropPart' as const), part: fc.nat() }),
  fc.record({ kind: fc.constant('xmlText' as const), part: fc.nat(), at: fc.nat(), text: oddText }),
  fc.record({
    kind: fc.constant('xmlAttribute' as const),
    part: fc.nat(),
    at: fc.nat(),
    text: fc.oneof(fc.constantFrom(...ATTRIBUTES), fc.string({ maxLength: 10 })),
  }),
  fc.record({ kind: fc.constant('xmlCut' as const), part: fc.nat(), at: fc.nat() }),
  fc.record({
    kind: fc.constant('xmlEntities' as const),
    part: fc.nat(),
    entity: fc.constantFrom('laughs' as const, 'external' as const),
  }),
  // Merged cells, drop-down lists and named ranges: exceljs creates every cell they cover.
  fc.record({
    kind: fc.constant('xmlRange' as const),
    part: fc.nat(),
    where: fc.constantFrom('merge' as const, 'validation' as const, 'name' as const),
    range: fc.oneof(
      fc.constantFrom(
        'D2:E3',
        'A1',
        'D4:D40',
        'A1:Z2000',
        'A1:XFD1048576',
        'XFD1048576:A1',
        'A1:A99999999999999',
        'A1:ZZZZZZZ1',
        'D:D',
        '3:3',
        'A1:B2 C3:D4',
      ),
      fc
        .tuple(fc.integer({ min: 1, max: 16_384 }), fc.integer({ min: 1, max: 1_048_576 }), fc.nat(3), fc.nat(5_000))
        .map(([col, row, w, h]) => `${letters(col)}${row}:${letters(col + w)}${row + h}`),
    ),
    escaped: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('noZip' as const),
    bytes: fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 4_000 }),
      fc.constantFrom(
        Buffer.from('not a spreadsheet at all'),
        Buffer.from('PK'),
        Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]),
        Buffer.from('{"answers":{}}'),
        Buffer.from('ID,Answer\nA1.4,Yes\n'),
        Buffer.from('<?xml version="1.0"?><workbook/>'),
        Buffer.alloc(22),
      ),
    ),
  }),
)

const letters = (col: number): string => {
  let s = ''
  for (let x = col; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s
  return s
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** Replaces the n-th match of a pattern (counting round) with what `by` makes of it. */
function replaceNth(s: string, pattern: RegExp, n: number, by: (m: RegExpExecArray) => string): string {
  const matches = [...s.matchAll(pattern)]
  if (matches.length === 0) return s
  const m = matches[n % matches.length] as RegExpExecArray
  return s.slice(0, m.index) + by(m) + s.slice(m.index + m[0].length)
}

function damaged(base: Buffer, d: Damage): Buffer {
  const at = (n: number, length = base.length) => (length === 0 ? 0 : n % length)
  switch (d.kind) {
    case 'truncate':
      return base.subarray(0, at(d.at))
    case 'flip': {
      const out = Buffer.from(base)
      for (const i of d.at) out[at(i)] = (out[at(i)] as number) ^ d.mask
      return out
    }
    case 'append':
      return Buffer.concat([base, d.bytes])
    case 'prepend':
      return Buffer.concat([d.bytes, base])
    case 'insert':
      return Buffer.concat([base.subarray(0, at(d.at)), d.bytes, base.subarray(at(d.at))])
    case 'zero': {
      const out = Buffer.from(base)
      out.fill(0, at(d.at), Math.min(out.length, at(d.at) + d.length))
      return out
    }
    case 'noZip':
      return Buffer.from(d.bytes)
    case 'xmlRange': {
      const parts = unzip(base)
      const sheets = parts.filter((p) => /worksheets\/sheet\d+\.xml$/.test(p.name))
      const target =
        d.where === 'name' ? parts.find((p) => p.name === 'xl/workbook.xml') : sheets[d.part % sheets.length]
      if (!target) return base
      // Named ranges are written "$A$1:$B$2"; a character reference hides a letter from a plain search.
      let ref = d.where === 'name' ? `Sheet1!${d.range.replace(/([A-Z]+)(\d+)/g, '$$$1$$$2')}` : d.range
      if (d.escaped) ref = ref.replace(/[A-Z]/, (c) => `&#${c.charCodeAt(0)};`)
      let text = target.data.toString('utf8')
      const insert = (container: string, item: string, after: string) => {
        const open = new RegExp(`<${container}(\\s[^>]*)?>`)
        text = open.test(text)
          ? text.replace(open, (m) => m + item)
          : text.replace(after, `${after}<${container}>${item}</${container}>`)
      }
      if (d.where === 'merge') insert('mergeCells', `<mergeCell ref="${ref}"/>`, '</sheetData>')
      else if (d.where === 'validation')
        insert(
          'dataValidations',
          `<dataValidation type="list" allowBlank="1" sqref="${ref}"><formula1>"Yes,No"</formula1></dataValidation>`,
          '</sheetData>',
        )
      else insert('definedNames', `<definedName name="fuzz">${ref}</definedName>`, '</sheets>')
      target.data = Buffer.from(text)
      return zip(parts)
    }
    default: {
      const parts = unzip(base)
      const i = d.part % parts.length
      const part = parts[i] as { name: string; data: Buffer }
      if (d.kind === 'dropPart') return zip(parts.filter((_, j) => j !== i))
      // XML edits go to the parts that hold cells and sheets, most of the time.
      const xml = parts.filter((p) => /sharedStrings|worksheets\/sheet|workbook\.xml$/.test(p.name))
      const target = d.part % 3 === 0 ? part : (xml[d.part % xml.length] ?? part)
      let text = target.data.toString('utf8')
      switch (d.kind) {
        case 'xmlText':
          text = replaceNth(text, />([^<]+)</g, d.at, () => `>${xmlEscape(d.text)}<`)
          break
        case 'xmlAttribute':
          text = replaceNth(text, / ([A-Za-z:]+)="([^"]*)"/g, d.at, (m) => ` ${m[1]}="${xmlEscape(d.text)}"`)
          break
        case 'xmlCut':
          text = text.slice(0, at(d.at, text.length))
          break
        case 'xmlEntities': {
          const declaration =
            d.entity === 'laughs'
              ? `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaaaaaaaa">${[...'bcdefghij']
                  .map((c, k) => `<!ENTITY ${c} "${`&${'abcdefghij'[k]};`.repeat(16)}">`)
                  .join('')}]>`
              : '<!DOCTYPE x [<!ENTITY j SYSTEM "file:///etc/passwd">]>'
          text = text.replace(/^(<\?xml[^>]*\?>)?/, (m) => m + declaration)
          text = replaceNth(text, /<t( [^>]*)?>([^<]*)</g, 0, (m) => `<t${m[1] ?? ''}>&j;<`)
          break
        }
      }
      target.data = Buffer.from(text)
      return zip(parts)
    }
  }
}

// Uploads ---------------------------------------------------------------------------------------------

function multipartFile(csrf: string, data: Buffer) {
  const boundary = '----fh-fuzz-boundary'
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="upload.xlsx"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

/** One serialisation per data table, to compare before and after a refused upload. */
async function digestsOf(db: Db): Promise<Record<string, string>> {
  return Object.fromEntries(await tableDigests(db, DATA_TABLES))
}

type Problem = { sheet: string; cell: string; reason: string }

/** The problems a refusal lists: from the JSON body, or from the rows of the page's table. */
function problemsOf(res: LightMyRequestResponse, json: boolean): { message: string; problems: Problem[] } {
  if (json) {
    const body = res.json() as { message?: unknown; issues?: { field?: unknown; message?: unknown }[] }
    const problems = (body.issues ?? []).map((i) => {
      const field = String(i.field ?? '')
      const bang = field.lastIndexOf('!')
      // "file" names the upload as a whole; "Sheet!Cell" a place in it.
      return bang < 0
        ? { sheet: '', cell: field, reason: `${String(body.message ?? '')} (${String(i.message ?? '')})` }
        : { sheet: field.slice(0, bang), cell: field.slice(bang + 1), reason: String(i.message ?? '') }
    })
    return { message: typeof body.message === 'string' ? body.message : '', problems }
  }
  const decode = (s: string) =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
  const rows = [...res.body.matchAll(/<tr><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => ({
    sheet: decode(m[1] as string),
    cell: decode(m[2] as string),
    reason: decode(m[3] as string),
  }))
  // A refusal of the file as a whole is the error page: its message, and the field of each issue.
  const page = /<section class="error-page">[\s\S]*?<\/h1>\s*<p>([\s\S]*?)<\/p>/.exec(res.body)?.[1] ?? ''
  const message = decode(page).trim()
  const issues = [...res.body.matchAll(/<li><strong>([^<]*)<\/strong>: ([^<]*)<\/li>/g)].map((m) => ({
    sheet: '',
    cell: decode(m[1] as string),
    reason: `${message} ${decode(m[2] as string)}`,
  }))
  if (rows.length === 0) return { message, problems: issues }
  // The page of problems in the workbook says how many there are, and that nothing was changed.
  const alert = /<p class="alert" role="alert">([\s\S]*?)<\/p>/.exec(res.body)?.[1] ?? ''
  return { message: decode(alert).trim(), problems: rows }
}

/** Why a refusal does not name its problem, or undefined when it does. */
function unnamed(status: number, message: string, problems: Problem[]): string | undefined {
  if (status !== 400 && status !== 413) return `status ${status}`
  if (message.trim() === '') return 'no message'
  if (problems.length === 0) return 'no problem listed'
  for (const p of problems) {
    if (p.reason.trim() === '') return `a problem without a reason: ${JSON.stringify(p)}`
    const inFile = p.sheet !== '' && (/^[A-Z]{1,3}[1-9]\d*$/.test(p.cell) || /^id \d+$/.test(p.cell))
    const sheetLevel = p.sheet !== '' && p.cell === '' && p.reason.includes(p.sheet)
    const fileLevel =
      (p.cell === 'file' || (p.sheet === '' && p.cell === '')) && /file|workbook|\.xlsx|zip|archive/i.test(p.reason)
    if (!inFile && !sheetLevel && !fileLevel)
      return `a problem that names neither a cell nor the file: ${JSON.stringify(p)}`
  }
  return undefined
}

// The properties --------------------------------------------------------------------------------------

describe('workbook uploads under fuzzing', () => {
  let app: Awaited<ReturnType<typeof testApp>>
  let supplier: Client
  let draft: number
  let submitted: number
  let questionnaireBase: Buffer
  let planBase: Buffer
  /** The answers the questionnaire workbook was exported with, as the API gives them. */
  let exportedAnswers: Record<string, { value: RawAnswer; comment: string | null }>
  /** The actions the gap report was exported with. */
  let exportedActions: Map<string, ActionRow>
  const seen = new Map<string, Map<string, number>>()
  let skipped = 0

  type ActionRow = {
    id: number
    assessment_id: number
    question_id: string
    owner: string | null
    due_date: string | null
    status: string
    notes: string | null
  }
  const actions = (): Promise<ActionRow[]> =>
    app.app.db
      .selectFrom('action_item')
      .select(['id', 'assessment_id', 'question_id', 'owner', 'due_date', 'status', 'notes'])
      .where('assessment_id', '=', submitted)
      .orderBy('id')
      .execute()
  const auditCount = async (action: string) =>
    Number(
      (
        await app.app.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('action', '=', action)
          .executeTakeFirstOrThrow()
      ).n,
    )
  const storedAnswers = async () =>
    (await supplier.get(`/api/v1/assessments/${draft}/answers`)).json() as Record<
      string,
      { value: RawAnswer; comment: string | null }
    >

  const questionnaire: Kind = {
    name: 'questionnaire',
    url: () => `/assessments/${draft}/questionnaire.xlsx`,
    sheet: 'Answers',
    firstRow: 2,
    inputColumns: [4, 5],
    hiddenCells: (wb) => {
      const out: [ExcelJS.Worksheet, number, number][] = []
      const meta = wb.getWorksheet('Meta')
      if (meta) for (let r = 1; r <= meta.rowCount; r++) out.push([meta, r, 2], [meta, r, 1])
      const ws = wb.getWorksheet('Answers')
      if (ws) for (let r = 2; r <= ws.rowCount; r += 7) out.push([ws, r, 2], [ws, r, 8])
      return out
    },
    fitting: (ws, row, col, pick) => {
      if (ws.name !== 'Answers' || (col !== 4 && col !== 5)) {
        // A hidden id or key copied from another row: the kind of edit that must be caught.
        const other = 1 + (pick % Math.max(1, ws.rowCount))
        return ws.getCell(other, col).value
      }
      if (col === 5) return pick % 4 === 0 ? null : `Comment ${pick}`
      const e = cq.byId.get(String(ws.getCell(row, 2).value ?? ''))
      if (!e) return `x${pick}`
      const q = e.question
      switch (q.type) {
        case 'single':
        case 'scale': {
          const c = e.choices[pick % e.choices.length]
          return c ? (pick % 5 === 0 ? c.id : label(c.label)) : null
        }
        case 'multi':
          return e.choices
            .filter((_, i) => (pick >> i) & 1)
            .map((c) => label(c.label))
            .join('; ')
        case 'number': {
          const min = q.min ?? 0
          const n = min + (pick % ((q.max ?? min + 1000) - min + 1))
          return pick % 3 === 0 ? ` ${n} ` : n
        }
        case 'date': {
          const d = new Date(Date.UTC(2000 + (pick % 40), pick % 12, 1 + (pick % 28)))
          return pick % 2 === 0 ? d : d.toISOString().slice(0, 10)
        }
        case 'country':
          return (COUNTRY_NAMES[pick % COUNTRY_NAMES.length] as [string, string])[0]
        case 'text':
          return `Answer ${pick}`
      }
    },
    rowKey: (ws, row) => {
      const id = ws.getCell(row, 2).value
      return typeof id === 'string' && cq.byId.has(id) ? id : null
    },
  }

  const STATUS = ['Open', 'In progress', 'Done', 'open', 'done ', 'IN_PROGRESS']
  const actionPlan: Kind = {
    name: 'action plan',
    url: () => `/assessments/${submitted}/action-plan.xlsx`,
    sheet: 'Action plan',
    firstRow: 4,
    inputColumns: [12, 13, 14, 15],
    hiddenCells: (wb) => {
      const ws = wb.getWorksheet('Action plan')
      if (!ws) return []
      const out: [ExcelJS.Worksheet, number, number][] = []
      for (let r = 1; r <= ws.rowCount; r++) out.push([ws, r, 1], [ws, r, 16], [ws, r, 2])
      return out
    },
    fitting: (ws, row, col, pick) => {
      switch (col) {
        case 12:
          return pick % 4 === 0 ? null : `Owner ${pick}`
        case 13: {
          if (pick % 5 === 0) return null
          const d = new Date(Date.UTC(2000 + (pick % 101), pick % 12, 1 + (pick % 28)))
          return pick % 2 === 0 ? d : d.toISOString().slice(0, 10)
        }
        case 14:
          return STATUS[pick % STATUS.length] as string
        case 15:
          return pick % 3 === 0 ? null : `Note ${pick}`
        default: {
          // A hidden id, check or question copied from another row.
          const other = 1 + (pick % Math.max(1, ws.rowCount))
          return ws.getCell(other, col).value ?? row
        }
      }
    },
    rowKey: (ws, row) => {
      const id = ws.getCell(row, 1).value
      return row >= 4 && typeof id === 'number' ? String(id) : null
    },
  }

  beforeAll(async () => {
    app = await testApp()
    const w = await buildWorld(app.app)
    supplier = new Client(app.app)
    await supplier.login(w.users.respA, PASSWORD)
    draft = w.assessments.requested
    submitted = w.assessments.selfA

    // The draft: saved answers with comments, some of which look like formulas.
    const saved = await supplier.api('PUT', `/api/v1/assessments/${draft}/answers`, {
      answers: { 'A1.4': 'partly', 'A1.5': 'no' },
      comments: { 'A1.4': 'Training planned', 'A1.5': '=1+1', 'A6.1': '  kept in the office  ' },
    })
    expect(saved.statusCode, saved.body).toBe(200)
    const q = await supplier.get(`/assessments/${draft}/questionnaire.xlsx`)
    expect(q.statusCode).toBe(200)
    questionnaireBase = q.rawPayload
    exportedAnswers = await storedAnswers()

    // The self-check, submitted with gaps, so that it has an action plan.
    const answers = { ...bestAnswers(cq, PROFILE), 'A6.1': 'held_restricted', 'A1.4': 'no', 'A1.5': 'partly' }
    const put = await supplier.api('PUT', `/api/v1/assessments/${submitted}/answers`, { answers })
    expect(put.statusCode, put.body).toBe(200)
    const done = await supplier.api('POST', `/api/v1/assessments/${submitted}/submit`)
    expect(done.statusCode, done.body).toBe(200)
    const plan = await supplier.get(`/assessments/${submitted}/report.xlsx`)
    expect(plan.statusCode).toBe(200)
    planBase = plan.rawPayload
    exportedActions = new Map((await actions()).map((a) => [String(a.id), a]))
    expect(exportedActions.size).toBeGreaterThan(2)
    // Both exports go back in untouched.
    for (const [kind, data] of [
      [questionnaire, questionnaireBase],
      [actionPlan, planBase],
    ] as const) {
      const res = await upload(kind, data, true, 'untouched')
      expect(res.statusCode, res.body.slice(0, 500)).toBe(acceptedStatus(kind, true))
    }
  }, 120_000)

  afterAll(async () => {
    await app?.close()
    if (process.env.FAIRHIRE_FUZZ_VERBOSE) {
      console.log(Object.fromEntries([...seen].map(([k, v]) => [k, Object.fromEntries(v)])), { skipped })
    }
  })

  /** An accepted questionnaire answers a JSON client with what it saved and ignored; the rest redirect. */
  const acceptedStatus = (kind: Kind, json: boolean) => (json && kind === questionnaire ? 200 : 303)

  /** Every property must have seen both outcomes, or it tested only half of the oracles. */
  function reachedBoth(name: string) {
    const outcomes = [...(seen.get(name)?.keys() ?? [])]
    expect(outcomes, `${name}: ${outcomes}`).toContain('accepted')
    expect(outcomes, `${name}: ${outcomes}`).toContain('refused')
  }

  /**
   * Uploads a file and checks the oracles; `touched` (the keys of rows the edits touched) is known for
   * workbooks edited cell by cell, and then every other row must come out as the export had it.
   */
  async function upload(
    kind: Kind,
    data: Buffer,
    json: boolean,
    name: string,
    touched?: Set<string>,
    described: string[] = [],
  ): Promise<LightMyRequestResponse> {
    const before = await digestsOf(app.app.db)
    const actionsBefore = await actions()
    const audits = { plan: await auditCount('import'), questionnaire: await auditCount('import_workbook') }
    const file = multipartFile(supplier.csrf, data)
    const res = await supplier.request({
      method: 'POST',
      url: kind.url(),
      payload: file.payload,
      headers: { ...file.headers, accept: json ? 'application/json' : 'text/html' },
    })
    const shown = `${kind.name} upload of ${data.length} bytes (${json ? 'JSON' : 'HTML'})${described.map((d) => `\n  ${d}`).join('')}`
    const accepted = res.statusCode === acceptedStatus(kind, json)
    const outcome = accepted ? 'accepted' : res.statusCode < 500 ? 'refused' : 'failed'
    const counts = seen.get(name) ?? new Map<string, number>()
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1)
    seen.set(name, counts)
    expect(res.statusCode, `${shown}\n→ ${res.body.slice(0, 500)}`).toBeLessThan(500)

    if (!accepted) {
      expect(await digestsOf(app.app.db), `${shown}\n→ ${res.statusCode} changed data`).toEqual(before)
      let read: ReturnType<typeof problemsOf>
      try {
        read = problemsOf(res, json)
      } catch {
        throw new Error(`${shown}\n→ ${res.statusCode} with a body that cannot be read: ${res.body.slice(0, 300)}`)
      }
      const why = unnamed(res.statusCode, read.message, read.problems)
      expect(why, `${shown}\n→ ${res.statusCode} ${res.body.slice(0, 800)}`).toBeUndefined()
      return res
    }

    // Accepted: what is stored must be acceptable, and untouched rows as the export had them.
    if (kind.name === 'questionnaire') {
      const stored = await storedAnswers()
      const values = Object.fromEntries(Object.entries(stored).map(([q, a]) => [q, a.value]))
      const problems = checkAnswers(cq, values).problems
      expect(problems, `${shown}\n→ stored answers checkAnswers refuses`).toEqual([])
      for (const [q, a] of Object.entries(stored)) {
        const c = a.comment
        expect(
          c === null || (c.length <= 5_000 && c === c.trim() && c !== '' && !LONE_SURROGATE.test(c)),
          `${shown}\n→ comment of ${q} stored as ${JSON.stringify(c?.slice(0, 100))}`,
        ).toBe(true)
        if (typeof a.value === 'string')
          expect(LONE_SURROGATE.test(a.value), `${shown}\n→ answer ${q} with a lone surrogate`).toBe(false)
      }
      if (touched) {
        for (const e of cq.entries) {
          const q = e.question.id
          if (touched.has(q)) continue
          const was = exportedAnswers[q]
          const now = stored[q]
          expect(
            { value: now?.value ?? null, comment: now?.comment ?? null },
            `${shown}\n→ untouched question ${q} changed`,
          ).toEqual({ value: was?.value ?? null, comment: was?.comment ?? null })
        }
      }
      expect(await auditCount('import_workbook'), `${shown}\n→ no audit entry`).toBe(audits.questionnaire + 1)
    } else {
      const after = await actions()
      const oldById = new Map(actionsBefore.map((a) => [a.id, a]))
      let changed = 0
      expect(after.map((a) => a.id)).toEqual(actionsBefore.map((a) => a.id))
      for (const a of after) {
        const old = oldById.get(a.id) as ActionRow
        const where = `${shown}\n→ action ${a.id} stored as ${JSON.stringify(a).slice(0, 300)}`
        expect({ q: a.question_id, as: a.assessment_id }, where).toEqual({ q: old.question_id, as: old.assessment_id })
        const text = (s: string | null, max: number) =>
          s === null || (s !== '' && s === s.trim() && s.length <= max && !LONE_SURROGATE.test(s))
        expect(text(a.owner, OWNER_MAX_LENGTH), where).toBe(true)
        expect(text(a.notes, NOTES_MAX_LENGTH), where).toBe(true)
        const dueOk =
          a.due_date === null ||
          (/^\d{4}-\d{2}-\d{2}$/.test(a.due_date) &&
            new Date(`${a.due_date}T00:00:00Z`).toISOString().slice(0, 10) === a.due_date &&
            a.due_date >= DUE_DATE_MIN &&
            a.due_date <= DUE_DATE_MAX)
        expect(dueOk, where).toBe(true)
        expect(['open', 'in_progress', 'done'].includes(a.status) || a.status === old.status, where).toBe(true)
        if (touched && !touched.has(String(a.id))) {
          const was = exportedActions.get(String(a.id)) as ActionRow
          expect(a, `${where}, untouched, exported as ${JSON.stringify(was)}`).toEqual(was)
        }
        if (a.owner !== old.owner || a.due_date !== old.due_date || a.status !== old.status || a.notes !== old.notes)
          changed++
      }
      // Every action that changed, and only those, is in the audit log.
      expect(await auditCount('import'), `${shown}\n→ audit entries`).toBe(audits.plan + changed)
    }
    return res
  }

  it('questionnaire workbooks edited in a spreadsheet program', { timeout: TIMEOUT }, async () => {
    await fc.assert(
      fc.asyncProperty(edits, fc.boolean(), async (list, json) => {
        const edited = await applyEdits(questionnaireBase, questionnaire, list)
        if (!edited) {
          skipped++
          return
        }
        await upload(questionnaire, edited.data, json, 'questionnaire edits', edited.touched, edited.described)
      }),
      params(),
    )
    reachedBoth('questionnaire edits')
  })

  it('action plans edited in a spreadsheet program', { timeout: TIMEOUT }, async () => {
    await fc.assert(
      fc.asyncProperty(edits, fc.boolean(), async (list, json) => {
        const edited = await applyEdits(planBase, actionPlan, list)
        if (!edited) {
          skipped++
          return
        }
        await upload(actionPlan, edited.data, json, 'action plan edits', edited.touched, edited.described)
      }),
      params(),
    )
    reachedBoth('action plan edits')
  })

  it('damaged files and files that are no workbook, to either upload', { timeout: TIMEOUT }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('questionnaire', 'action plan'),
        // Mostly the endpoint's own workbook; sometimes the other one.
        fc.integer({ min: 0, max: 4 }),
        damage,
        fc.boolean(),
        async (to, other, d, json) => {
          const kind = to === 'questionnaire' ? questionnaire : actionPlan
          const own = to === 'questionnaire' ? questionnaireBase : planBase
          const base = other === 0 ? (to === 'questionnaire' ? planBase : questionnaireBase) : own
          await upload(kind, damaged(base, d), json, 'damaged', undefined, [
            `${other === 0 ? 'the other workbook, ' : ''}${JSON.stringify(d).slice(0, 200)}`,
          ])
        },
      ),
      params(),
    )
    expect([...(seen.get('damaged')?.keys() ?? [])]).toContain('refused')
  })

  // Cases the fuzzing found, kept as examples.

  it('refuses a zip bomb, or bytes that are no workbook, to either upload, naming the file', async () => {
    for (const [kind, base] of [
      [questionnaire, questionnaireBase],
      [actionPlan, planBase],
    ] as const) {
      // 60 MB of spaces in one sheet deflates to about 60 KB.
      const bomb = zip(
        unzip(base).map((p) =>
          p.name === 'xl/worksheets/sheet1.xml' ? { name: p.name, data: Buffer.alloc(60 * 1024 * 1024, 0x20) } : p,
        ),
      )
      expect(bomb.length).toBeLessThan(300_000)
      expect((await upload(kind, bomb, true, 'examples')).json()).toMatchObject({
        statusCode: 400,
        message: expect.stringMatching(/would unpack to more than 20 MB/),
        issues: [{ field: 'file', message: 'too_much_data' }],
      })
      expect((await upload(kind, Buffer.from('not a spreadsheet at all'), true, 'examples')).json()).toMatchObject({
        statusCode: 400,
        message: 'This file is not an Excel workbook (.xlsx): it is not a zip archive. Save it from Excel as .xlsx.',
        issues: [{ field: 'file', message: 'not_xlsx' }],
      })
    }
  })

  it('refuses merged cells, drop-down lists and named ranges over the whole sheet, before exceljs creates them', async () => {
    for (const [kind, base] of [
      [questionnaire, questionnaireBase],
      [actionPlan, planBase],
    ] as const) {
      for (const where of ['merge', 'validation', 'name'] as const) {
        const data = damaged(base, { kind: 'xmlRange', part: 1, where, range: 'A1:XFD1048576', escaped: true })
        const res = await upload(kind, data, true, 'examples')
        expect(res.json(), `${kind.name} ${where}`).toMatchObject({
          statusCode: 400,
          message: expect.stringMatching(/cover 17,179,869,\d+ cells .* at most 1,100,000 are accepted/),
          issues: [{ field: 'file', message: 'too_many_cells' }],
        })
      }
    }
    // A drop-down list over a whole column, as Excel writes one, is still accepted.
    const column = damaged(questionnaireBase, {
      kind: 'xmlRange',
      part: 1,
      where: 'validation',
      range: 'D1:D1048576',
      escaped: false,
    })
    const accepted = await upload(questionnaire, column, true, 'examples')
    expect(accepted.statusCode, accepted.body.slice(0, 500)).toBe(200)
  })

  it('names a cell typed on the last row of the sheet, without walking the million rows above it', async () => {
    // The questionnaire names the comment cell; the action plan the hidden id the row lacks.
    for (const [kind, base, column, cell] of [
      [questionnaire, questionnaireBase, 5, 'E1048576'],
      [actionPlan, planBase, 12, 'A1048576'],
    ] as const) {
      const wb = new ExcelJS.Workbook()
      await wb.xlsx.load(base as unknown as ArrayBuffer)
      ;(wb.getWorksheet(kind.sheet) as ExcelJS.Worksheet).getCell(1_048_576, column).value = 'typed far below'
      const res = await upload(kind, Buffer.from(await wb.xlsx.writeBuffer()), true, 'examples')
      expect(res.json().issues).toEqual([
        { field: `${kind.sheet}!${cell}`, message: expect.stringMatching(/no (question|action) ID/i) },
      ])
    }
  })

  it('names the cell of a comment longer than 5,000 characters, the limit of a saved comment', async () => {
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(questionnaireBase as unknown as ArrayBuffer)
    const ws = wb.getWorksheet('Answers') as ExcelJS.Worksheet
    let row = 0
    ws.eachRow((r, n) => {
      if (r.getCell(2).value === 'A1.4') row = n
    })
    ws.getCell(row, 5).value = 'x'.repeat(5_001)
    const long = await upload(questionnaire, Buffer.from(await wb.xlsx.writeBuffer()), true, 'examples')
    expect(long.json().issues).toEqual([
      { field: `Answers!E${row}`, message: 'A1.4: the comment is longer than 5,000 characters' },
    ])
    ws.getCell(row, 5).value = 'x'.repeat(5_000)
    const fits = await upload(questionnaire, Buffer.from(await wb.xlsx.writeBuffer()), true, 'examples')
    expect(fits.statusCode).toBe(200)
    expect((await storedAnswers())['A1.4']?.comment).toBe('x'.repeat(5_000))
  })
})
