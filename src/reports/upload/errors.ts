/**
 * The one error an upload check raises: a message a person can act on (it names the limit or the damage),
 * and a reason code for the API's `issues`.
 */

export type UploadRejectionReason =
  | 'too_large'
  | 'not_xlsx'
  | 'too_many_entries'
  | 'too_much_data'
  | 'too_many_cells'
  | 'too_many_rows'
  | 'too_deep'
  | 'too_slow'
  | 'too_much_memory'
  | 'damaged'

export class UploadRejected extends Error {
  constructor(
    message: string,
    readonly reason: UploadRejectionReason,
  ) {
    super(message)
    this.name = 'UploadRejected'
  }
}

const MB = 1024 * 1024

export function formatBytes(n: number): string {
  if (n >= MB) return `${(n / MB).toFixed(n % MB === 0 ? 0 : 1)} MB`
  if (n >= 1024) return `${Math.round(n / 1024)} KB`
  return `${n} bytes`
}

export const count = (n: number): string =>
  Number.isFinite(n) && n < 1e15 ? n.toLocaleString('en') : 'more than a million billion'

export const notXlsx = (detail: string): UploadRejected =>
  new UploadRejected(`This file is not an Excel workbook (.xlsx): ${detail}. Save it from Excel as .xlsx.`, 'not_xlsx')

export const damaged = (detail: string): UploadRejected =>
  new UploadRejected(
    `This Excel file is damaged (${detail}). Open it in Excel, save it again and upload that.`,
    'damaged',
  )

/** Every refusal for size says the same thing after naming its limit. */
export const FAR_MORE = 'far more than a questionnaire or action plan needs. It was refused without being opened'
