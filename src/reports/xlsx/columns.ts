/** Column letters and cell addresses, as spreadsheets write them (column 1 is "A", 28 is "AB"). */

export const toColumnLetter = (n: number): string => {
  let s = ''
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s
  return s
}

/** The row and column of an address such as "D14"; 0 and 0 for anything else (sorted first). */
export function cellPosition(cell: string): { row: number; column: number } {
  const m = /^([A-Z]+)(\d+)$/.exec(cell)
  if (!m) return { row: 0, column: 0 }
  const column = [...(m[1] as string)].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0)
  return { row: Number(m[2]), column }
}
