export type Mail = { to: string; subject: string; text: string }

/** Sends one email; rejects with the reason when the mail server refuses it or cannot be reached. */
export type Mailer = { send: (mail: Mail) => Promise<void> }

/**
 * A mailer over SMTP (nodemailer), from an smtp:// or smtps:// URL. Plain text only: no tracking, no HTML.
 * nodemailer is loaded only when mail is configured: it adds about 40 ms to start-up.
 */
export async function smtpMailer(smtpUrl: string, from: string): Promise<Mailer> {
  const { default: nodemailer } = await import('nodemailer')
  const transport = nodemailer.createTransport(smtpUrl)
  return {
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text })
    },
  }
}
