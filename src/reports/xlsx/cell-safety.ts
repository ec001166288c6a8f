/**
 * Text written into spreadsheets. A cell that starts with =, +, -, @, a tab or a carriage return can be
 * read as a formula by Excel or LibreOffice ("CSV/formula injection"); answers come from respondents,
 * so such text is prefixed with an apostrophe-like quote character that spreadsheet users recognise,
 * and written as a plain string. Excel also refuses cells longer than 32,767 characters.
 *
 * A workbook is XML 1.0, which cannot hold every character a string can: control characters other than
 * tab, line feed and carriage return, lone surrogates (half of a pair, which UTF-8 cannot encode), and
 * U+FFFE and U+FFFF. Excel calls a file with one of them corrupt, and exceljs cannot read it back. Control
 * characters are invisible, so they are removed (as exceljs does itself when it writes them, DEL
 * included); the others become U+FFFD, the replacement character, so that the reader sees something was
 * there. The text is cleaned before the formula check, so that removing a control character cannot
 * uncover an "=" at the start.
 */

export const EXCEL_CELL_LIMIT = 32_767
const TRUNCATION_MARKER = ' […truncated]'
/**
 * A formula start, behind any number of quotes: the quote is added to "'=x" too, so that the import, which
 * takes one quote off, reads back "'=x" and not "=x".
 */
const QUOTED_FORMULA_START = /^'*[=+\-@\t\r]/
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must go
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g
// With the u flag a surrogate pair is one code point, so \p{Cs} matches lone surrogates only.
const NOT_XML = /[\p{Cs}\ufffe\uffff]/gu

/** Text XML 1.0 can hold: control characters (but tab, LF and CR) removed, the others replaced by U+FFFD. */
export function xmlText(value: string): string {
  return value.replace(CONTROL, '').replace(NOT_XML, '\ufffd')
}

export function safeText(value: string | null | undefined): string {
  if (value === null || value === undefined) return ''
  const clean = xmlText(value)
  let s = QUOTED_FORMULA_START.test(clean) ? `'${clean}` : clean
  if (s.length > EXCEL_CELL_LIMIT) {
    let cut = EXCEL_CELL_LIMIT - TRUNCATION_MARKER.length
    // Never cut a surrogate pair in half: that would leave a lone surrogate, the very thing just removed.
    if (/[\ud800-\udbff]/.test(s.charAt(cut - 1))) cut--
    s = s.slice(0, cut) + TRUNCATION_MARKER
  }
  return s
}

/** Reverses the quote added by safeText when reading a workbook back (imports): one quote, never more. */
export function unquoteText(value: string): string {
  return value.startsWith("'") && QUOTED_FORMULA_START.test(value.slice(1)) ? value.slice(1) : value
}
