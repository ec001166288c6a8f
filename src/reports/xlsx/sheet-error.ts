import { cellPosition } from './columns.ts'

/**
 * A problem found in an uploaded workbook: the sheet and the cell ("D14") a person goes to, and the reason
 * in words they can act on. Both uploads report every problem at once, in this shape.
 */
export type SheetError = { sheet: string; cell: string; reason: string }

/** By sheet, then top to bottom and left to right, so a person can work down the sheet; ties keep their order. */
export function sortSheetErrors(errors: SheetError[]): SheetError[] {
  return errors
    .map((e, i) => ({ e, i, at: cellPosition(e.cell) }))
    .sort((a, b) => a.e.sheet.localeCompare(b.e.sheet) || a.at.row - b.at.row || a.at.column - b.at.column || a.i - b.i)
    .map((x) => x.e)
}
