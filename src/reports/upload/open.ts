import ExcelJS from 'exceljs'
import { checkXlsxUpload, DEFAULT_UPLOAD_LIMITS, type UploadLimits, UploadRejected } from './limits.ts'

/**
 * Opens an uploaded workbook with exceljs, safely: the upload checks run first, and exceljs is given only
 * the parts they kept, inflated within their limits (see limits.ts). Throws UploadRejected for a
 * file refused by the checks, and for one exceljs cannot read.
 */
export async function openUploadedWorkbook(
  data: Buffer,
  limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
): Promise<ExcelJS.Workbook> {
  const { archive } = checkXlsxUpload(data, limits)
  const wb = new ExcelJS.Workbook()
  try {
    await wb.xlsx.load(archive as unknown as ArrayBuffer)
  } catch {
    throw new UploadRejected(
      'The file could not be read as an Excel workbook. Open it in Excel, save it as .xlsx and upload it again.',
      'damaged',
    )
  }
  return wb
}
