/**
 * Ranges that exceljs expands cell by cell when it opens a workbook: the merged cells (`<mergeCell ref>`)
 * and drop-down lists (`<dataValidation sqref>`) of a sheet, and the named ranges (`<definedName>`) of the
 * workbook; `<col min max>` makes it create one column object per column. A file of a few kilobytes that
 * declares "A1:XFD1048576" would make it create seventeen billion cells and take the server down, so the
 * cells these declarations cover are counted from the XML before exceljs sees it. References are read
 * as exceljs reads them (letters, then digits, "$" ignored), and the XML is read loosely enough that
 * nothing hides from the count: either quote, namespace prefixes, character references, comments.
 */

/** Excel's last column is XFD. */
export const MAX_COLUMN = 16_384

export type DeclaredRanges = {
  /** Cells covered by merged cells, drop-down lists and named ranges, summed. */
  cells: number
  largest: { kind: string; range: string; cells: number } | null
  /** A column number beyond XFD, when one is declared. */
  badColumn: number | null
}

const ATTRIBUTES = String.raw`((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)`
/** A start tag, whatever its prefix; attribute values may themselves hold ">". */
const startTag = (name: string) => new RegExp(String.raw`<(?:[\w.-]+:)?${name}${ATTRIBUTES}\s*/?>`, 'g')
const MERGE = startTag('mergeCell')
const VALIDATION = startTag('dataValidation')
const COLUMN = startTag('col')
const DEFINED_NAME = new RegExp(
  String.raw`<(?:[\w.-]+:)?definedName${ATTRIBUTES}\s*>([\s\S]*?)</(?:[\w.-]+:)?definedName\s*>`,
  'g',
)
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g

export function decodeXml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (_, e: string) => {
    const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }
    if (!e.startsWith('#')) return named[e.toLowerCase()] ?? ''
    const n = e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number.parseInt(e.slice(1), 10)
    return n <= 0x10ffff ? String.fromCodePoint(n) : ''
  })
}

export function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const m of tag.matchAll(ATTRIBUTE)) {
    // The local name: exceljs ignores prefixes it does not know, but counting them too is harmless.
    out.set((m[1] as string).replace(/^.*:/, ''), decodeXml(m[2] ?? m[3] ?? ''))
  }
  return out
}

/** exceljs's reading of one end of a reference ("$A$1", "XFD1048576"). */
export function decodeAddress(ref: string): { row: number; col: number } {
  let row = 0
  let col = 0
  let hasRow = false
  let hasCol = false
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i)
    if (!hasRow && c >= 65 && c <= 90) {
      hasCol = true
      col = col * 26 + c - 64
    } else if (c >= 48 && c <= 57) {
      hasRow = true
      row = row * 10 + c - 48
    } else if (hasRow && hasCol && c !== 36) break
  }
  return { row, col }
}

/** Cells of one reference; a sheet name before "!" does not count. */
function cellsOf(reference: string): number {
  const parts = reference.slice(reference.lastIndexOf('!') + 1).split(':')
  if (parts.length < 2) return 1
  const a = decodeAddress(parts[0] as string)
  const b = decodeAddress(parts[1] as string)
  return (Math.abs(a.row - b.row) + 1) * (Math.abs(a.col - b.col) + 1)
}

/** Counts what the XML parts of a workbook (its sheets and the workbook part) declare. */
export function declaredRanges(parts: Iterable<string>): DeclaredRanges {
  const out: DeclaredRanges = { cells: 0, largest: null, badColumn: null }
  const add = (kind: string, list: string) => {
    // Lists are separated by spaces (sqref) or commas (named ranges); splitting on both only over-counts.
    for (const range of list.split(/[\s,]+/).filter(Boolean)) {
      const cells = cellsOf(range)
      out.cells += cells
      if (!out.largest || cells > out.largest.cells) out.largest = { kind, range: range.slice(0, 80), cells }
    }
  }
  for (const xml of parts) {
    for (const m of xml.matchAll(MERGE)) add('merged cells', attributes(m[1] ?? '').get('ref') ?? '')
    for (const m of xml.matchAll(VALIDATION)) add('drop-down list', attributes(m[1] ?? '').get('sqref') ?? '')
    for (const m of xml.matchAll(DEFINED_NAME)) {
      const text = (m[2] ?? '').replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
      add('named range', decodeXml(text))
    }
    for (const m of xml.matchAll(COLUMN)) {
      const a = attributes(m[1] ?? '')
      for (const k of ['min', 'max']) {
        const n = Number.parseInt(a.get(k) ?? '0', 10)
        if (n > MAX_COLUMN && (out.badColumn === null || n > out.badColumn)) out.badColumn = n
      }
    }
  }
  return out
}
