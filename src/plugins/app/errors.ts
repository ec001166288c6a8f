import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'

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
export const badRequest = (message: string, issues: Issue[] = []): HttpError => new HttpError(400, message, issues)

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

async function send(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
  issues: Issue[],
): Promise<FastifyReply> {
  reply.code(status)
  if (wantsJson(req)) {
    return reply.send({ statusCode: status, error: STATUS_TEXT[status] ?? 'Error', message, issues })
  }
  return reply.type('text/html; charset=utf-8').view('pages/error.eta', {
    title: STATUS_TEXT[status] ?? 'Error',
    status,
    message,
    issues,
    requestId: req.id,
  })
}

/**
 * One place decides what a caller sees when something fails: 4xx say what is wrong and which field,
 * 5xx say nothing internal and are logged with the request id.
 */
export default fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler(async (err: FastifyError, req, reply) => {
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
