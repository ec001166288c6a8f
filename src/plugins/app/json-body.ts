import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { HttpError } from './errors.ts'

const utf8 = new TextDecoder('utf-8', { fatal: true })
// With the u flag a surrogate pair is one code point, so this matches lone surrogates only.
const LONE_SURROGATE = /\p{Cs}/u

/**
 * Where a parsed body holds text that is not well-formed Unicode, or undefined. JSON can carry a lone
 * surrogate as "\ud800"; SQLite stores text as UTF-8, which cannot hold one, so it would be stored as
 * replacement characters: not what the caller was told was saved. Iterative, because a body may nest
 * deeper than the call stack.
 */
export function illFormedText(body: unknown): string | undefined {
  const stack: [unknown, string][] = [[body, 'body']]
  while (stack.length > 0) {
    const [v, path] = stack.pop() as [unknown, string]
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) return path
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], `${path}[${i}]`])
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) return path
        stack.push([x, `${path}.${k}`])
      }
    }
  }
  return undefined
}

/**
 * Request bodies of the API. JSON bodies: Fastify's own parser (with its prototype-poisoning checks), behind two checks it does not
 * make. Bytes that are not UTF-8 are refused instead of being decoded into replacement characters, and
 * so is text with lone surrogates; either way the caller hears which, rather than finding its text
 * changed later.
 */
export default fp(
  async (app: FastifyInstance) => {
    // The API reads JSON only. A form or multipart body there can only be a mistake, and refusing it before
    // it is parsed keeps those parsers' leniency (bad bytes become replacement characters) out of the API.
    app.addHook('onRequest', async (req) => {
      if (!req.url.startsWith('/api/')) return
      const type = req.headers['content-type']
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined
      if (type === undefined || !hasBody) return
      const essence = (type.split(';')[0] ?? '').trim().toLowerCase()
      if (essence !== 'application/json')
        throw new HttpError(415, `The API reads JSON: send the body as application/json, not ${essence || 'untyped'}.`)
    })

    const parseJson = app.getDefaultJsonParser('error', 'error')
    app.removeContentTypeParser('application/json')
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
      let text: string
      try {
        text = utf8.decode(body)
      } catch {
        done(new HttpError(400, 'The body is not valid UTF-8. Send JSON encoded as UTF-8.'), undefined)
        return
      }
      parseJson(req, text, (err, parsed) => {
        if (err) return done(err, undefined)
        const at = illFormedText(parsed)
        if (at === undefined) return done(null, parsed)
        const field = at.length > 200 ? `${at.slice(0, 200)}…` : at
        done(
          new HttpError(400, `The body holds text that is not valid Unicode (a lone surrogate) at ${field}.`, [
            { field, message: 'is not valid Unicode text' },
          ]),
          undefined,
        )
      })
    })
  },
  { name: 'json-body' },
)
