import { attributes, decodeAddress } from './ranges.ts'

/**
 * What exceljs would build from the XML of a workbook, counted from the text before it builds anything:
 * how deep the elements nest, and how many rows and cells each sheet holds. exceljs keeps a few hundred
 * bytes per cell and a frame per open element, so a sheet of a million cells (a few megabytes of XML, far
 * less once compressed) or a million nested elements would hold the parser for seconds and hundreds of
 * megabytes. Each count stops as soon as it passes its limit.
 */

/** Excel's last row. */
export const MAX_ROW = 1_048_576

const LT = 0x3c
const GT = 0x3e
const SLASH = 0x2f
const BANG = 0x21
const QUESTION = 0x3f
const QUOTE = 0x22
const APOSTROPHE = 0x27

/**
 * The deepest nesting of elements in an XML text, counted up to `limit + 1`; `doctype` when the text
 * declares a document type, which spreadsheet programs never write (it is how entity tricks start).
 * Attribute values are skipped whole, so a quoted ">" or "/>" cannot hide an element from the count.
 */
export function xmlDepth(xml: string, limit: number): number | 'doctype' {
  let depth = 0
  let deepest = 0
  let i = xml.indexOf('<')
  while (i >= 0 && i < xml.length) {
    const next = xml.charCodeAt(i + 1)
    if (next === BANG) {
      if (xml.startsWith('<!--', i)) i = skipPast(xml, '-->', i + 4)
      else if (xml.startsWith('<![CDATA[', i)) i = skipPast(xml, ']]>', i + 9)
      else return 'doctype'
    } else if (next === QUESTION) {
      i = skipPast(xml, '?>', i + 2)
    } else if (next === SLASH) {
      depth--
      i = skipPast(xml, '>', i + 2)
    } else {
      const end = tagEnd(xml, i + 1)
      if (end < 0) break
      if (xml.charCodeAt(end - 1) !== SLASH) {
        depth++
        if (depth > deepest) deepest = depth
        if (deepest > limit) return deepest
      }
      i = end + 1
    }
    i = xml.indexOf('<', i)
  }
  return deepest
}

function skipPast(xml: string, marker: string, from: number): number {
  const at = xml.indexOf(marker, from)
  return at < 0 ? xml.length : at + marker.length
}

/** The ">" closing a start tag, quoted values skipped; -1 when the text ends first. */
function tagEnd(xml: string, from: number): number {
  let i = from
  while (i < xml.length) {
    const c = xml.charCodeAt(i)
    if (c === GT) return i
    if (c === QUOTE || c === APOSTROPHE) {
      const close = xml.indexOf(c === QUOTE ? '"' : "'", i + 1)
      if (close < 0) return -1
      i = close + 1
    } else if (c === LT) {
      // A "<" inside a tag is not XML; the parser refuses it, and the count goes on from there.
      return i - 1
    } else i++
  }
  return -1
}

export type SheetCount = {
  /** Rows and cells counted; each stops one past its limit. */
  rows: number
  cells: number
  /** The highest row number and column number referenced, as exceljs reads them. */
  lastRow: number
  lastColumn: number
}

const ROW_OR_CELL = /<(?:[\w.-]+:)?(row|c)(?=[\s/>])/g
const ATTRIBUTES = String.raw`((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)`
const START_TAG = new RegExp(String.raw`<(?:[\w.-]+:)?(?:row|c)${ATTRIBUTES}\s*/?>`, 'y')

/** Counts the rows and cells of a sheet's XML, stopping once past `maxRows` rows or `maxCells` cells. */
export function countSheet(xml: string, maxRows: number, maxCells: number): SheetCount {
  const out: SheetCount = { rows: 0, cells: 0, lastRow: 0, lastColumn: 0 }
  let row = 0
  let column = 0
  ROW_OR_CELL.lastIndex = 0
  for (let m = ROW_OR_CELL.exec(xml); m; m = ROW_OR_CELL.exec(xml)) {
    START_TAG.lastIndex = m.index
    const tag = START_TAG.exec(xml)
    const ref = tag ? attributes(tag[1] ?? '').get('r') : undefined
    if (m[1] === 'row') {
      if (++out.rows > maxRows) break
      // exceljs numbers a row without "r" after the one before it.
      const n = ref === undefined ? Number.NaN : Number.parseInt(ref, 10)
      row = Number.isFinite(n) ? n : row + 1
      column = 0
      if (row > out.lastRow) out.lastRow = row
    } else {
      if (++out.cells > maxCells) break
      column = ref === undefined ? column + 1 : decodeAddress(ref).col
      if (column > out.lastColumn) out.lastColumn = column
      if (ref !== undefined) {
        const at = decodeAddress(ref).row
        if (at > out.lastRow) out.lastRow = at
      }
    }
  }
  return out
}

/**
 * The sheet each worksheet part holds, by name ("xl/worksheets/sheet2.xml" → "Answers"), from the workbook
 * part and its relationships; a part missing from them keeps no name.
 */
export function sheetNames(workbookXml: string, relsXml: string): Map<string, string> {
  const targets = new Map<string, string>()
  for (const m of relsXml.matchAll(/<(?:[\w.-]+:)?Relationship\s([^>]*)>/g)) {
    const a = attributes(` ${m[1] ?? ''}`)
    const id = a.get('Id')
    const target = a.get('Target')
    if (!id || !target) continue
    const path = target.replace(/^\/+/, '')
    targets.set(id, path.startsWith('xl/') ? path : `xl/${path}`)
  }
  const out = new Map<string, string>()
  for (const m of workbookXml.matchAll(/<(?:[\w.-]+:)?sheet\s([^>]*)>/g)) {
    const a = attributes(` ${m[1] ?? ''}`)
    const name = a.get('name')
    const target = targets.get(a.get('id') ?? '')
    if (name && target) out.set(target, name)
  }
  return out
}
