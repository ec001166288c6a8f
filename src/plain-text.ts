/**
 * What text and numbers people may send: one rule, applied to every request body (plugins/app/plain-text.ts)
 * and to what arrives without one (answers and comments read from a workbook, the action plan sheet).
 *
 * Text may hold tabs and line breaks (LF, or CR LF as browsers send a textarea's lines), but no other
 * control character: a NUL cuts text short in many readers, and the rest (vertical tab, escape, the C1
 * range…) are invisible on the page, break spreadsheets and CSV, and nobody means to type them.
 */
// Any control character (Unicode Cc: C0, DEL and C1) but a tab, a line feed, or a carriage return before one.
const FORBIDDEN = /(?![\t\n]|\r\n)\p{Cc}/u

const NAMES: Record<number, string> = {
  0: 'NUL',
  11: 'vertical tab',
  12: 'form feed',
  13: 'carriage return',
  27: 'escape',
  127: 'DEL',
}

/** Why this text is refused, or undefined when it is fine. */
export function textProblem(s: string): string | undefined {
  const m = FORBIDDEN.exec(s)
  if (!m) return undefined
  const code = (m[0] as string).charCodeAt(0)
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
  const name = NAMES[code]
  return `holds a control character (${name ? `${name}, ` : ''}${hex}) at position ${m.index + 1}: text may hold tabs and line breaks but no other control characters`
}

/** Why this number is refused as an answer: beyond 2^53 a number is no longer exact, whatever it counts. */
export function numberProblem(n: number): string | undefined {
  if (Math.abs(n) > Number.MAX_SAFE_INTEGER) return 'is too large: at most 9,007,199,254,740,991 (2^53 − 1)'
  return undefined
}

/** A part of a multipart body as @fastify/multipart attaches it: only its value (or file name) is text. */
type Part = { type: 'field' | 'file'; fieldname: string; value?: unknown; filename?: string }
const isPart = (v: object): v is Part =>
  typeof (v as Part).fieldname === 'string' && ((v as Part).type === 'field' || (v as Part).type === 'file')

/**
 * The first text in a parsed body that the rule refuses, with where it is (`body.answers.A0.1b`), or
 * undefined. Walks JSON, form and multipart bodies; iterative, because a body may nest deeper than the
 * call stack. Keys are checked too: they name things that get stored (question ids, field names).
 */
export function firstTextProblem(body: unknown, root = 'body'): { field: string; message: string } | undefined {
  const stack: [unknown, string][] = [[body, root]]
  while (stack.length > 0) {
    const [v, path] = stack.pop() as [unknown, string]
    if (typeof v === 'string') {
      const problem = textProblem(v)
      if (problem) return { field: path, message: problem }
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`])
    } else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
      if (isPart(v)) {
        if (v.type === 'field') stack.push([v.value, path])
        else if (typeof v.filename === 'string') stack.push([v.filename, `${path} (file name)`])
        continue
      }
      const entries = Object.entries(v)
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, x] = entries[i] as [string, unknown]
        const problem = textProblem(k)
        if (problem) return { field: `${path} (a name)`, message: problem }
        stack.push([x, `${path}.${k}`])
      }
    }
  }
  return undefined
}
