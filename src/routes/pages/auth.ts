import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { AccessError } from '../../access/access-error.ts'
import { createAdminWithOrganisation } from '../../access/organisation.service.ts'
import { MIN_PASSWORD_LENGTH } from '../../access/password.ts'
import { changePassword, userCount } from '../../access/person.service.ts'
import { login, logout, startSession } from '../../access/session.service.ts'
import { TooManySignInAttempts } from '../../access/sign-in-throttle.ts'
import { SESSION_COOKIE } from '../../plugins/app/auth.ts'
import { DEFAULT_AFTER_SIGN_IN, sameSitePath } from '../../web/safe-redirect.ts'
import { loginPage, passwordPage, setupPage } from '../../web/view-models/auth.ts'

const LOGIN_LIMIT = { rateLimit: { max: 10, timeWindow: '1 minute' } }

const authPages: FastifyPluginAsyncZod = async (app) => {
  /** Only a place on this site is followed after sign-in (no open redirect). */
  const safeNext = (next: string | undefined) => sameSitePath(next, app.config.publicUrl, DEFAULT_AFTER_SIGN_IN)

  app.get(
    '/login',
    { schema: { querystring: z.object({ next: z.string().max(500).optional() }) } },
    async (req, reply) => {
      if ((await userCount(app.db)) === 0) return reply.redirect('/setup')
      return reply.render(
        'pages/auth/login.eta',
        loginPage({
          title: 'Sign in',
          next: req.query.next ?? '',
          email: '',
          error: null,
        }),
      )
    },
  )

  app.post(
    '/login',
    {
      config: LOGIN_LIMIT,
      schema: {
        body: z.object({
          email: z.string().max(320),
          password: z.string().max(256),
          next: z.string().max(500).optional(),
          _csrf: z.string().optional(),
        }),
      },
    },
    async (req, reply) => {
      let result: Awaited<ReturnType<typeof login>>
      try {
        result = await login(app.db, req.body.email, req.body.password)
      } catch (err) {
        if (!(err instanceof TooManySignInAttempts)) throw err
        // The same answer whether the email exists or not: the count is kept per address typed.
        return reply
          .code(429)
          .header('retry-after', String(err.retryAfterSeconds))
          .render(
            'pages/auth/login.eta',
            loginPage({
              title: 'Sign in',
              next: req.body.next ?? '',
              email: req.body.email,
              error: err.message,
            }),
          )
      }
      if (!result) {
        // The same message whether the email exists or not.
        return reply.code(401).render(
          'pages/auth/login.eta',
          loginPage({
            title: 'Sign in',
            next: req.body.next ?? '',
            email: req.body.email,
            error: 'The email address or password is not right.',
          }),
        )
      }
      app.setSessionCookie(reply, result.token)
      return reply.redirect(safeNext(req.body.next), 303)
    },
  )

  app.post('/logout', async (req, reply) => {
    if (req.sessionToken) await logout(app.db, req.sessionToken)
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.redirect('/login', 303)
  })

  app.get('/setup', async (_req, reply) => {
    if ((await userCount(app.db)) > 0) return reply.redirect('/login')
    return reply.render(
      'pages/auth/setup.eta',
      setupPage({
        title: 'Set up Fairhire',
        values: {},
        error: null,
        minLength: MIN_PASSWORD_LENGTH,
      }),
    )
  })

  app.post(
    '/setup',
    {
      config: LOGIN_LIMIT,
      schema: {
        body: z.object({
          organisation: z.string().max(200),
          kind: z.enum(['brand', 'supplier', 'recruiter']),
          name: z.string().max(200),
          email: z.string().max(320),
          password: z.string().max(256),
          _csrf: z.string().optional(),
        }),
      },
    },
    async (req, reply) => {
      // The setup page exists only on an empty database; afterwards administrators add people.
      if ((await userCount(app.db)) > 0) return reply.redirect('/login', 303)
      const b = req.body
      let userId: number
      try {
        const created = await createAdminWithOrganisation(app.db, {
          organisation: { kind: b.kind, name: b.organisation },
          email: b.email,
          name: b.name,
          password: b.password,
        })
        userId = created.userId
      } catch (err) {
        if (err instanceof AccessError) {
          return reply.code(400).render(
            'pages/auth/setup.eta',
            setupPage({
              title: 'Set up Fairhire',
              values: { ...b, password: '' },
              error: err.message,
              field: err.field,
              minLength: MIN_PASSWORD_LENGTH,
            }),
          )
        }
        throw err
      }
      const result = await startSession(app.db, userId)
      if (result) app.setSessionCookie(reply, result.token)
      return reply.redirect('/assessments', 303)
    },
  )

  app.get('/account/password', async (req, reply) => {
    app.requirePrincipal(req)
    return reply.render(
      'pages/auth/password.eta',
      passwordPage({
        title: 'Change your password',
        error: null,
        done: false,
        minLength: MIN_PASSWORD_LENGTH,
      }),
    )
  })

  app.post(
    '/account/password',
    {
      config: LOGIN_LIMIT,
      schema: {
        body: z.object({ current: z.string().max(256), password: z.string().max(256), _csrf: z.string().optional() }),
      },
    },
    async (req, reply) => {
      const p = app.requirePrincipal(req)
      try {
        await changePassword(app.db, p, req.body.current, req.body.password)
      } catch (err) {
        if (err instanceof AccessError)
          return reply.code(400).render(
            'pages/auth/password.eta',
            passwordPage({
              title: 'Change your password',
              error: err.message,
              done: false,
              minLength: MIN_PASSWORD_LENGTH,
            }),
          )
        throw err
      }
      // Every session was revoked, this one included: sign in again with the new password.
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.redirect('/login?next=/assessments', 303)
    },
  )
}
export default authPages
