import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { formatters, languageOf, messages } from '../../web/messages.ts'
import { errorPage } from '../../web/view-models/misc.ts'

/** An error meant for the caller: its message is safe to show, and `issues` names the fields. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

export type Issue = { field: string; message: string }

export const notFound = (what: string): HttpError => new HttpError(404, `${what} not found`)

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Sign in required',
  403: 'Not allowed',
  404: 'Page not found',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported file type',
  429: 'Too many requests',
  500: 'Something went wrong',
  503: 'Busy: try again shortly',
}

export function wantsJson(req: FastifyRequest): boolean {
  if (req.url.startsWith('/api/') || req.url === '/api') return true
  const accept = req.headers.accept ?? ''
  return accept.includes('application/json') && !accept.includes('text/html')
}

function toIssues(err: FastifyError): Issue[] {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body'
    return err.validation.map((v) => {
      const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.')
      return { field: path ? `${where}.${path}` : where, message: v.message ?? 'is invalid' }
    })
  }
  return []
}

/**
 * Errors raised by services carry their own status (Forbidden, AccessError, AssessmentError…). They are
 * recognised by shape so that this plugin does not depend on every feature module.
 */
function domainError(
  err: unknown,
  contentType = '',
): { status: number; message: string; issues: Issue[]; details?: unknown } | undefined {
  if (!(err instanceof Error)) return undefined
  const code = (err as { code?: string }).code
  if (code === 'FST_CSRF_INVALID_TOKEN' || code === 'FST_CSRF_MISSING_SECRET') {
    return {
      status: 403,
      message: 'This form has expired or did not come from Fairhire. Reload the page and try again.',
      issues: [],
    }
  }
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const type = (contentType.split(';')[0] ?? '').trim()
    return {
      status: 415,
      message: `This address does not read ${type || 'this kind of'} bodies. Forms here are sent as application/x-www-form-urlencoded.`,
      issues: [{ field: 'content-type', message: `${type} is not read here` }],
    }
  }
  // A malformed multipart body (cut short, no boundary) is the caller's mistake, but the multipart parser
  // raises it as a plain Error without a status, which would otherwise be answered as a 500.
  if (!(err as { statusCode?: number }).statusCode && /[\\/]@fastify[\\/]busboy[\\/]/.test(err.stack ?? ''))
    return { status: 400, message: `The request body could not be read as form data: ${err.message}.`, issues: [] }
  if (err.name === 'Forbidden') return { status: 403, message: err.message, issues: [] }
  if (err.name === 'HttpError')
    return { status: (err as HttpError).statusCode, message: err.message, issues: (err as HttpError).issues }
  if (err.name === 'AccessError' || err.name === 'RescoreError') {
    const e = err as Error & { status: number; field?: string }
    return { status: e.status, message: err.message, issues: e.field ? [{ field: e.field, message: err.message }] : [] }
  }
  if (err.name === 'ExportError')
    return { status: (err as Error & { status: number }).status, message: err.message, issues: [] }
  if (err.name === 'AssessmentError') {
    const e = err as Error & { status: number; issues: Issue[]; details?: unknown }
    return { status: e.status, message: err.message, issues: e.issues, details: e.details }
  }
  return undefined
}

async function send(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
  issues: Issue[],
  details?: unknown,
): Promise<FastifyReply> {
  reply.code(status)
  if (wantsJson(req)) {
    return reply.send({
      statusCode: status,
      error: STATUS_TEXT[status] ?? 'Error',
      message,
      issues,
      ...(details === undefined ? {} : { details }),
    })
  }
  const lang = languageOf(req)
  return reply.type('text/html; charset=utf-8').view(
    'pages/error.eta',
    errorPage({
      lang,
      m: messages(lang),
      fmt: formatters(lang),
      title: STATUS_TEXT[status] ?? 'Error',
      status,
      message,
      issues,
      requestId: req.id,
      principal: req.principal ?? null,
      // The layout's sign-out form needs a token; the CSRF plugin may not be ready when start-up fails.
      csrfToken: typeof reply.generateCsrf === 'function' ? reply.generateCsrf() : '',
    }),
  )
}

/**
 * One place decides what a caller sees when something fails: 4xx say what is wrong and which field,
 * 5xx say nothing internal and are logged with the request id.
 */
export default fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler(async (err: FastifyError, req, reply) => {
      const domain = domainError(err, req.headers['content-type'])
      if (domain) {
        if (domain.status === 401 && !wantsJson(req) && req.method === 'GET') {
          return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`)
        }
        return send(req, reply, domain.status, domain.message, domain.issues, domain.details)
      }
      const issues = err instanceof HttpError ? err.issues : toIssues(err)
      let status = err.statusCode ?? 500
      if (issues.length > 0 && !(err instanceof HttpError)) status = 400
      if (status >= 500) {
        req.log.error({ err, reqId: req.id }, 'request failed')
        return send(req, reply, status, `An internal error occurred (reference ${req.id}).`, [])
      }
      const message =
        issues.length > 0 && !(err instanceof HttpError)
          ? `Invalid input: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`
          : err.message
      return send(req, reply, status, message, issues)
    })

    app.setNotFoundHandler(async (req, reply) => {
      const path = req.url.split('?')[0] ?? req.url
      return send(req, reply, 404, `Nothing is found at ${path}.`, [])
    })
  },
  { name: 'errors', dependencies: ['view'] },
)
