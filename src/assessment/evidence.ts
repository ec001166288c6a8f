/**
 * What an uploaded evidence file really is, judged from its first bytes rather than its name or the
 * browser's claim. Only documents and images a reviewer can open safely are accepted.
 */
export const EVIDENCE_TYPES = {
  'application/pdf': 'PDF',
  'image/png': 'PNG image',
  'image/jpeg': 'JPEG image',
  'image/gif': 'GIF image',
  'image/webp': 'WebP image',
  'application/vnd.openxmlformats-officedocument': 'Office document (Word, Excel, PowerPoint)',
  'application/x-ole-storage': 'older Office document (.doc, .xls)',
  'application/vnd.oasis.opendocument': 'OpenDocument file',
} as const

export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024

const startsWith = (b: Buffer, sig: number[], at = 0) => sig.every((x, i) => b[at + i] === x)

export function sniffEvidenceType(b: Buffer): keyof typeof EVIDENCE_TYPES | undefined {
  if (b.length < 8) return undefined
  if (startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf' // %PDF-
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (startsWith(b, [0x47, 0x49, 0x46, 0x38])) return 'image/gif'
  if (startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp'
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'application/x-ole-storage'
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) {
    // A zip: accept it only if it is an Office or OpenDocument package, not any archive.
    const head = b.subarray(0, Math.min(b.length, 4096)).toString('latin1')
    if (head.includes('[Content_Types].xml') || head.includes('word/') || head.includes('xl/') || head.includes('ppt/'))
      return 'application/vnd.openxmlformats-officedocument'
    if (head.includes('mimetypeapplication/vnd.oasis.opendocument')) return 'application/vnd.oasis.opendocument'
  }
  return undefined
}

/** A file name safe to show and to put in Content-Disposition. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? 'evidence'
  const cleaned = base
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what must go
    .replace(/[\u0000-\u001f\u007f"<>:|?*]/g, '_')
    .trim()
    .slice(0, 150)
  return cleaned || 'evidence'
}
