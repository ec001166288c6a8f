import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** LibreOffice, when installed: the workbook tests convert each kind of file to PDF with it. */
function officeBinary(): string | null {
  for (const name of ['soffice', 'libreoffice']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' })
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim()
  }
  return null
}
export const OFFICE = officeBinary()

/** Converts a workbook to PDF headless; returns the exit status, stderr and whether the PDF appeared. */
export function convertToPdf(
  data: Buffer | Uint8Array,
  name: string,
): { status: number | null; stderr: string; pdf: boolean } {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`))
  try {
    const file = join(dir, `${name}.xlsx`)
    writeFileSync(file, data)
    const res = spawnSync(
      OFFICE as string,
      [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', dir, file],
      { encoding: 'utf8', timeout: 90_000 },
    )
    return { status: res.status, stderr: res.stderr, pdf: existsSync(join(dir, `${name}.pdf`)) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
