import type { Principal } from '../access/principal.ts'
import { formatters, type MessageKey, messages } from '../web/messages.ts'
import type { Mail } from './mailer.ts'

type Invitation = {
  email: string
  kind: 'supplier' | 'recruiter' | 'member'
  role: string
  organisationName: string | null
  expiresAt: string
}

/** The invitation email, in plain text: who invites, to what, the link and until when it works. */
export function invitationMail(inviter: Principal, invitation: Invitation, link: string, lang = 'en'): Mail {
  const m = messages(lang)
  const fmt = formatters(lang)
  const who = { inviter: inviter.name, inviterOrganisation: inviter.organisationName }
  const what =
    invitation.kind === 'member'
      ? m('mail.invitation.member', { ...who, role: m(`role.${invitation.role}` as MessageKey) })
      : m('mail.invitation.organisation', {
          ...who,
          organisation: invitation.organisationName || invitation.email,
          kind: m(`kind.${invitation.kind}` as MessageKey),
        })
  return {
    to: invitation.email,
    subject: m('mail.invitation.subject', who),
    text: [
      what,
      '',
      m('mail.invitation.link'),
      link,
      '',
      m('mail.invitation.expiry', { date: fmt.date(invitation.expiresAt) }),
      '',
      m('mail.invitation.ignore'),
      '',
    ].join('\n'),
  }
}
