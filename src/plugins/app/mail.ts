import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type Mailer, smtpMailer } from '../../mail/mailer.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Null when no mail server is configured: then links are shown to the person who creates them. */
    mailer: Mailer | null
  }
}

/** The mailer: the one given (tests capture mail this way), or SMTP when configured. */
export default fp(
  async (app: FastifyInstance, opts: { mailer?: Mailer | null }) => {
    const mail = app.config.mail
    app.decorate(
      'mailer',
      opts.mailer !== undefined ? opts.mailer : mail ? await smtpMailer(mail.smtpUrl, mail.from) : null,
    )
  },
  { name: 'mail', dependencies: ['config'] },
)
