import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ROLES } from '../../access/access.table.ts'
import { AccessError } from '../../access/access-error.ts'
import { createApiToken, listApiTokens, revokeApiToken } from '../../access/api-token.service.ts'
import * as audit from '../../access/audit.repository.ts'
import {
  acceptInvitation,
  acceptInvitationAsExisting,
  createInvitation,
  invitationMessage,
  listInvitations,
  lookupInvitation,
  revokeInvitation,
} from '../../access/invitation.service.ts'
import { MIN_PASSWORD_LENGTH } from '../../access/password.ts'
import { disableUser, listPeople, setRole } from '../../access/person.service.ts'
import { requireOrgKind, requireRole } from '../../access/principal.ts'
import { startSession } from '../../access/session.service.ts'
import { invitationMail } from '../../mail/invitation-mail.ts'
import { listSuppliers, updateSupplierLink } from '../../supplier-links/supplier-link.service.ts'
import {
  auditPage,
  invitationsPage,
  invitePage,
  peoplePage,
  suppliersPage,
  tokensPage,
} from '../../web/view-models/access.ts'
import { idText } from '../ids.ts'

const Id = z.object({ id: idText() })
const Csrf = { _csrf: z.string().optional() }
const LIMITED = { rateLimit: { max: 20, timeWindow: '1 minute' } }

/** People, invitations, API tokens, the audit log and a brand's supplier list. */
const accessPages: FastifyPluginAsyncZod = async (app) => {
  const origin = (req: { protocol: string; host: string }) => `${req.protocol}://${req.host}`

  app.get('/invitations', async (req, reply) => {
    const p = app.requirePrincipal(req)
    requireRole(p, 'admin', 'analyst')
    return reply.render(
      'pages/access/invitations.eta',
      invitationsPage({
        title: 'Invitations',
        items: await listInvitations(app.db, p),
        created: null,
        error: null,
        roles: ROLES,
      }),
    )
  })

  app.post(
    '/invitations',
    {
      config: LIMITED,
      schema: {
        body: z.object({
          email: z.string().max(320),
          kind: z.enum(['supplier', 'recruiter', 'member']),
          organisationName: z.string().max(200).optional(),
          role: z.enum(ROLES).optional(),
          ...Csrf,
        }),
      },
    },
    async (req, reply) => {
      const p = app.requirePrincipal(req)
      try {
        const invitation = await createInvitation(app.db, p, req.body)
        // Mailed links use the configured public address, never the request's Host header (which the
        // caller chooses). Without a mail server the link is shown to the inviter to send.
        const link = `${app.config.publicUrl ?? origin(req)}/invite/${invitation.token}`
        let mailed: 'sent' | { failed: string } | null = null
        if (app.mailer) {
          try {
            await app.mailer.send(invitationMail(p, { ...invitation, kind: req.body.kind }, link))
            mailed = 'sent'
          } catch (err) {
            req.log.warn({ err, invitation: invitation.id }, 'invitation email not sent')
            mailed = { failed: err instanceof Error ? err.message : String(err) }
          }
        }
        return reply.render(
          'pages/access/invitations.eta',
          invitationsPage({
            title: 'Invitations',
            items: await listInvitations(app.db, p),
            created: { link, email: invitation.email, mailed },
            error: null,
            roles: ROLES,
          }),
        )
      } catch (err) {
        if (err instanceof AccessError)
          return reply.code(err.status).render(
            'pages/access/invitations.eta',
            invitationsPage({
              title: 'Invitations',
              items: await listInvitations(app.db, p),
              created: null,
              error: err.message,
              roles: ROLES,
            }),
          )
        throw err
      }
    },
  )

  app.post('/invitations/:id/revoke', { schema: { params: Id, body: z.object(Csrf) } }, async (req, reply) => {
    await revokeInvitation(app.db, app.requirePrincipal(req), req.params.id)
    return reply.redirect('/invitations', 303)
  })

  const Token = z.object({ token: z.string().max(100) })

  app.get('/invite/:token', { config: LIMITED, schema: { params: Token } }, async (req, reply) => {
    const { state, invitation } = await lookupInvitation(app.db, req.params.token)
    if (state !== 'valid' || !invitation) {
      return reply.code(410).render(
        'pages/access/invite.eta',
        invitePage({
          title: 'Invitation',
          state,
          message: invitationMessage(state),
          invitation: null,
          token: req.params.token,
          error: null,
          minLength: MIN_PASSWORD_LENGTH,
        }),
      )
    }
    return reply.render(
      'pages/access/invite.eta',
      invitePage({
        title: 'Invitation',
        state,
        message: null,
        invitation,
        token: req.params.token,
        error: null,
        minLength: MIN_PASSWORD_LENGTH,
      }),
    )
  })

  app.post(
    '/invite/:token',
    {
      config: LIMITED,
      schema: {
        params: Token,
        body: z.object({
          name: z.string().max(200).optional(),
          password: z.string().max(256).optional(),
          organisationName: z.string().max(200).optional(),
          join: z.string().optional(),
          ...Csrf,
        }),
      },
    },
    async (req, reply) => {
      const token = req.params.token
      try {
        if (req.body.join && req.principal) {
          await acceptInvitationAsExisting(app.db, token, req.principal)
          return reply.redirect('/assessments', 303)
        }
        const { userId } = await acceptInvitation(app.db, token, {
          name: req.body.name ?? '',
          password: req.body.password ?? '',
          organisationName: req.body.organisationName,
        })
        const session = await startSession(app.db, userId)
        if (session) app.setSessionCookie(reply, session.token)
        return reply.redirect('/assessments', 303)
      } catch (err) {
        if (err instanceof AccessError) {
          const { state, invitation } = await lookupInvitation(app.db, token)
          return reply.code(err.status).render(
            'pages/access/invite.eta',
            invitePage({
              title: 'Invitation',
              state,
              message: state === 'valid' ? null : invitationMessage(state),
              invitation: state === 'valid' ? invitation : null,
              token,
              error: err.message,
              minLength: MIN_PASSWORD_LENGTH,
            }),
          )
        }
        throw err
      }
    },
  )

  app.get('/people', async (req, reply) => {
    const p = app.requirePrincipal(req)
    requireRole(p, 'admin')
    return reply.render(
      'pages/access/people.eta',
      peoplePage({
        title: 'People',
        people: await listPeople(app.db, p),
        roles: ROLES,
      }),
    )
  })

  app.post(
    '/people/:id/role',
    { schema: { params: Id, body: z.object({ role: z.enum(ROLES), ...Csrf }) } },
    async (req, reply) => {
      await setRole(app.db, app.requirePrincipal(req), req.params.id, req.body.role)
      return reply.redirect('/people', 303)
    },
  )

  app.post('/people/:id/disable', { schema: { params: Id, body: z.object(Csrf) } }, async (req, reply) => {
    await disableUser(app.db, app.requirePrincipal(req), req.params.id)
    return reply.redirect('/people', 303)
  })

  app.get('/tokens', async (req, reply) => {
    const p = app.requirePrincipal(req)
    requireRole(p, 'admin')
    return reply.render(
      'pages/access/tokens.eta',
      tokensPage({
        title: 'API tokens',
        tokens: await listApiTokens(app.db, p),
        created: null,
      }),
    )
  })

  app.post(
    '/tokens',
    {
      config: LIMITED,
      schema: {
        body: z.object({ name: z.string().max(100), role: z.enum(['analyst', 'respondent', 'viewer']), ...Csrf }),
      },
    },
    async (req, reply) => {
      const p = app.requirePrincipal(req)
      const created = await createApiToken(app.db, p, req.body.name, req.body.role)
      // Shown once: only its hash is stored.
      return reply.render(
        'pages/access/tokens.eta',
        tokensPage({
          title: 'API tokens',
          tokens: await listApiTokens(app.db, p),
          created,
        }),
      )
    },
  )

  app.post(
    '/tokens/:id/revoke',
    { config: LIMITED, schema: { params: Id, body: z.object(Csrf) } },
    async (req, reply) => {
      await revokeApiToken(app.db, app.requirePrincipal(req), req.params.id)
      return reply.redirect('/tokens', 303)
    },
  )

  app.get('/audit', async (req, reply) => {
    const p = app.requirePrincipal(req)
    requireRole(p, 'admin')
    return reply.render(
      'pages/access/audit.eta',
      auditPage({
        title: 'Audit log',
        entries: await audit.listForOrganisation(app.db, p.organisationId),
        assessmentId: null,
      }),
    )
  })

  app.get('/suppliers', async (req, reply) => {
    const p = app.requirePrincipal(req)
    requireOrgKind(p, 'brand')
    return reply.render(
      'pages/access/suppliers.eta',
      suppliersPage({ title: 'Suppliers', suppliers: await listSuppliers(app.db, p) }),
    )
  })

  app.post(
    '/suppliers/:id',
    {
      schema: {
        params: Id,
        body: z.object({ internalCode: z.string().max(50).optional(), tier: z.string().max(3).optional(), ...Csrf }),
      },
    },
    async (req, reply) => {
      const tier = req.body.tier ? Number(req.body.tier) : null
      await updateSupplierLink(app.db, app.requirePrincipal(req), req.params.id, {
        internalCode: req.body.internalCode?.trim() || null,
        tier: Number.isInteger(tier) ? tier : null,
      })
      return reply.redirect('/suppliers', 303)
    },
  )
}
export default accessPages
