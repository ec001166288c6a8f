import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * Cookies, security headers, CSRF tokens and rate limits. The Content-Security-Policy allows no inline
 * script: pages load their scripts as files from /assets.
 */
export default fp(
  async (app: FastifyInstance) => {
    await app.register(cookie, { secret: app.config.sessionSecret })
    await app.register(helmet, {
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
      // The API docs page brings its own policy with hashes for its inline scripts.
      strictTransportSecurity: app.config.env === 'production',
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
