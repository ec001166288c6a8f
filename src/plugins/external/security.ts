import type { IncomingMessage, ServerResponse } from 'node:http'
import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'
import { cachingSigner } from '../../access/cookie-signer.ts'

/**
 * Helmet's headers, worked out once. Our policy is the same for every response, but @fastify/helmet builds
 * a new helmet middleware (parsing the whole policy) on every request: about 80 µs of CPU per request
 * measured under load, more than Fastify spends on the rest of a small request.
 */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {}
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()]
    },
  }
  let failure: unknown
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    failure = err
  })
  if (failure) throw failure
  return headers
}

/**
 * Cookies, security headers, CSRF tokens and rate limits. The Content-Security-Policy allows no inline
 * script: pages load their scripts as files from /assets.
 */
export default fp(
  async (app: FastifyInstance) => {
    await app.register(cookie, { secret: cachingSigner(app.config.sessionSecret) })
    const headers = securityHeaders({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          upgradeInsecureRequests: app.config.env === 'production' ? [] : null,
        },
      },
      strictTransportSecurity: app.config.env === 'production',
    })
    // The API docs page (swagger-ui) replaces the policy with its own when it sends the page.
    app.addHook('onRequest', (_req, reply, done) => {
      reply.headers(headers)
      done()
    })
    await app.register(csrf, {
      cookieKey: 'fh_csrf',
      cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: app.config.env === 'production', signed: true },
      getToken: (req) => {
        const body = req.body as Record<string, unknown> | undefined
        // Multipart bodies hold fields as { value }.
        const field = body?._csrf as string | { value?: unknown } | undefined
        const fromBody = typeof field === 'string' ? field : typeof field?.value === 'string' ? field.value : undefined
        const header = req.headers['x-csrf-token']
        return fromBody ?? (typeof header === 'string' ? header : undefined)
      },
    })
    // Limits apply only where a route asks for one (sign-in, invitations, tokens).
    await app.register(rateLimit, { global: false })
  },
  { name: 'security', dependencies: ['config'] },
)
