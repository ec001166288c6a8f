import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { tokenPrincipal } from '../../access/api-token.service.ts'
import type { Principal } from '../../access/principal.ts'
import { sessionPrincipal } from '../../access/session.service.ts'
import { HttpError } from './errors.ts'

export const SESSION_COOKIE = 'fh_session'

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null
    authVia: 'session' | 'token' | null
    sessionToken: string | null
  }
  interface FastifyInstance {
    /** The signed-in principal, or a 401. */
    requirePrincipal: (req: FastifyRequest) => Principal
    setSessionCookie: (reply: FastifyReply, token: string) => void
  }
  interface FastifyContextConfig {
    /** Set false on the few form posts that must work without a CSRF token (none today). */
    csrf?: boolean
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * Who is calling: a Bearer API token (integrations) or the session cookie (people). Form posts and
 * session-authenticated API writes must carry a CSRF token; token-authenticated calls carry no cookie
 * and so cannot be forged cross-site.
 */
export default fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('principal', null)
    app.decorateRequest('authVia', null)
    app.decorateRequest('sessionToken', null)

    app.addHook('onRequest', async (req) => {
      const auth = req.headers.authorization
      if (auth?.startsWith('Bearer ')) {
        const p = await tokenPrincipal(app.db, auth.slice(7).trim())
        if (!p) throw new HttpError(401, 'The API token is not valid or has been revoked.')
        req.principal = p
        req.authVia = 'token'
        return
      }
      const raw = req.cookies[SESSION_COOKIE]
      if (!raw) return
      const unsigned = req.unsignCookie(raw)
      if (!unsigned.valid || !unsigned.value) return
      const p = await sessionPrincipal(app.db, unsigned.value)
      if (p) {
        req.principal = p
        req.authVia = 'session'
        req.sessionToken = unsigned.value
      }
    })

    const needsCsrf = (req: FastifyRequest) =>
      !SAFE_METHODS.has(req.method) &&
      req.authVia !== 'token' &&
      req.routeOptions.config?.csrf !== false &&
      // An API call without a session cookie carries no ambient authority, so there is nothing to forge.
      !(req.url.startsWith('/api/') && req.authVia !== 'session')
    // Multipart forms (uploads) carry their token in the form, which the upload routes' own parser reads in
    // their preValidation, after this one: their check waits for preHandler.
    const isMultipart = (req: FastifyRequest) => (req.headers['content-type'] ?? '').includes('multipart/')

    // Callback style: the CSRF check answers a failure itself (through the error handler) and never calls back.
    app.addHook('preValidation', (req, reply, done) => {
      if (!needsCsrf(req) || isMultipart(req)) return done()
      app.csrfProtection(req, reply, done)
    })
    app.addHook('preHandler', (req, reply, done) => {
      if (!needsCsrf(req) || !isMultipart(req)) return done()
      app.csrfProtection(req, reply, done)
    })

    app.decorate('requirePrincipal', (req: FastifyRequest): Principal => {
      if (!req.principal) throw new HttpError(401, 'Sign in to continue.')
      return req.principal
    })

    app.decorate('setSessionCookie', (reply: FastifyReply, token: string) => {
      reply.setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: app.config.env === 'production',
        signed: true,
        maxAge: 7 * 24 * 60 * 60,
      })
    })
  },
  { name: 'auth', dependencies: ['db', 'security'] },
)
