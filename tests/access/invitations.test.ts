import { beforeEach, describe, expect, it } from 'vitest'
import { testApp } from '../helpers/app.ts'
import { Client } from '../helpers/client.ts'
import { captureSmtp } from '../helpers/smtp.ts'
import { buildWorld, PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

describe('invitations', () => {
  let t: TestApp
  let w: World
  let analyst: Client
  worldPerTest((app, world) => {
    t = app
    w = world
  })
  beforeEach(async () => {
    analyst = new Client(t.app)
    await analyst.login(w.users.analystA, PASSWORD)
    await analyst.get('/invitations')
  })

  async function invite(email = 'hr@new-site.test'): Promise<string> {
    const res = await analyst.post('/invitations', { email, kind: 'supplier', organisationName: 'New Site Ltd' })
    expect(res.statusCode).toBe(200)
    const link = /<p class="secret">https?:\/\/[^/]+(\/invite\/[A-Za-z0-9_-]+)<\/p>/.exec(res.body)?.[1]
    if (!link) throw new Error('no invitation link shown')
    return link
  }
  const counts = async () => ({
    orgs: (await t.app.db.selectFrom('organisation').select('id').execute()).length,
    users: (await t.app.db.selectFrom('user_account').select('id').execute()).length,
  })

  it('a single-use link creates the organisation, its first user and the link to the brand', async () => {
    const link = await invite()
    const token = link.split('/').pop() as string
    expect(token).toHaveLength(43) // 256 bits, base64url
    const stored = await t.app.db
      .selectFrom('invitation')
      .select(['token_hash', 'expires_at', 'created_at'])
      .executeTakeFirstOrThrow()
    expect(stored.token_hash).not.toContain(token)
    expect(new Date(stored.expires_at).getTime() - new Date(stored.created_at).getTime()).toBe(14 * 86_400_000)

    const invitee = new Client(t.app)
    const page = await invitee.get(link)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Brand A')
    const res = await invitee.post(link, { name: 'Nadia', password: PASSWORD, organisationName: 'New Site Ltd' })
    expect(res.statusCode).toBe(303)
    expect((await invitee.get('/api/v1/me')).json()).toMatchObject({
      organisation: 'New Site Ltd',
      organisationKind: 'supplier',
      role: 'admin',
    })
    const suppliers = await analyst.get('/suppliers')
    expect(suppliers.body).toContain('New Site Ltd')

    // Used: refused with a clear page, nothing more created.
    const before = await counts()
    const again = new Client(t.app)
    const used = await again.get(link)
    expect(used.statusCode).toBe(410)
    expect(used.body).toContain('This invitation has already been used.')
    const post = await again.post(link, { name: 'Mallory', password: PASSWORD, organisationName: 'Other' })
    expect(post.statusCode).toBe(410)
    expect(await counts()).toEqual(before)
  })

  it('refuses expired, revoked and tampered links with a clear page, creating nothing', async () => {
    const expiredLink = await invite('a@x.test')
    const revokedLink = await invite('b@x.test')
    await t.app.db
      .updateTable('invitation')
      .set({ expires_at: '2000-01-01T00:00:00.000Z' })
      .where('email', '=', 'a@x.test')
      .execute()
    const revokedId = (
      await t.app.db.selectFrom('invitation').select('id').where('email', '=', 'b@x.test').executeTakeFirstOrThrow()
    ).id
    expect((await analyst.post(`/invitations/${revokedId}/revoke`, {})).statusCode).toBe(303)
    const tampered = `${revokedLink.slice(0, -3)}abc`
    const before = await counts()
    for (const [link, message] of [
      [expiredLink, 'This invitation has expired.'],
      [revokedLink, 'This invitation was withdrawn by the organisation that sent it.'],
      [tampered, 'This invitation link is not valid.'],
      ['/invite/short', 'This invitation link is not valid.'],
    ] as const) {
      const c = new Client(t.app)
      const page = await c.get(link)
      expect(page.statusCode, link).toBe(410)
      expect(page.body).toContain(message)
      const post = await c.post(link, { name: 'X', password: PASSWORD, organisationName: 'X' })
      expect(post.statusCode).toBe(410)
      expect(post.body).toContain(message)
    }
    expect(await counts()).toEqual(before)
  })

  it('only brands invite suppliers; a supplier cannot', async () => {
    const resp = new Client(t.app)
    await resp.login(w.users.adminSA, PASSWORD)
    await resp.get('/assessments')
    const res = await resp.post('/invitations', { email: 'z@z.test', kind: 'supplier', organisationName: 'Z' })
    expect(res.statusCode).toBe(403)
  })
})

describe('invitations by email', () => {
  const PUBLIC = 'https://fairhire.example.org'

  async function inviteAs(t: Awaited<ReturnType<typeof testApp>>, headers: Record<string, string> = {}) {
    const w = await buildWorld(t.app)
    const analyst = new Client(t.app)
    await analyst.login(w.users.analystA, PASSWORD)
    await analyst.get('/invitations')
    const res = await analyst.request({
      method: 'POST',
      url: '/invitations',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams({
        _csrf: analyst.csrf,
        email: 'HR@New-Site.test',
        kind: 'supplier',
        organisationName: 'New Site Ltd',
      }).toString(),
    })
    expect(res.statusCode).toBe(200)
    return res
  }

  it('sends the link by email from the public address, whatever Host the request named', async () => {
    const sent: { to: string; subject: string; text: string }[] = []
    const t = await testApp({ PUBLIC_URL: PUBLIC }, { mailer: { send: async (m) => void sent.push(m) } })
    try {
      const res = await inviteAs(t, { host: 'evil.example.net' })
      expect(res.body).toContain('An email with this link was sent to <strong>hr@new-site.test</strong>')
      expect(sent).toHaveLength(1)
      const mail = sent[0] as (typeof sent)[number]
      expect(mail.to).toBe('hr@new-site.test')
      expect(mail.subject).toBe('Analyst A invites you to Fairhire')
      expect(mail.text).toContain('Analyst A (Brand A) invites you to set up New Site Ltd on Fairhire as a supplier.')
      expect(mail.text).not.toContain('evil.example.net')
      const link = new RegExp(`${PUBLIC}(/invite/[A-Za-z0-9_-]{43})`).exec(mail.text)?.[1]
      expect(link, mail.text).toBeDefined()
      expect(mail.text).toMatch(/expires on \d{1,2} \w{3} \d{4}\./)
      const invitee = new Client(t.app)
      expect((await invitee.get(link as string)).statusCode).toBe(200)
    } finally {
      await t.close()
    }
  })

  it('when the mail server refuses, says so with the reason and still shows the valid link', async () => {
    const t = await testApp(
      { PUBLIC_URL: PUBLIC },
      {
        mailer: {
          send: async () => {
            throw new Error('550 mailbox <unavailable>')
          },
        },
      },
    )
    try {
      const res = await inviteAs(t)
      expect(res.body).toContain('could not be sent (550 mailbox &lt;unavailable&gt;)')
      const link = /<p class="secret">https:\/\/fairhire\.example\.org(\/invite\/[A-Za-z0-9_-]+)<\/p>/.exec(
        res.body,
      )?.[1]
      expect(link).toBeDefined()
      expect((await new Client(t.app).get(link as string)).statusCode).toBe(200)
    } finally {
      await t.close()
    }
  })

  it('speaks SMTP to the server SMTP_URL names', async () => {
    const smtp = await captureSmtp()
    const t = await testApp({
      SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      MAIL_FROM: 'Fairhire <no-reply@fairhire.example.org>',
      PUBLIC_URL: PUBLIC,
    })
    try {
      const res = await inviteAs(t)
      expect(res.body).toContain('An email with this link was sent')
      expect(smtp.messages).toHaveLength(1)
      const raw = smtp.messages[0] as string
      expect(raw).toMatch(/^From: Fairhire <no-reply@fairhire\.example\.org>$/m)
      expect(raw).toMatch(/^To: hr@new-site\.test$/m)
      expect(raw).toMatch(/^Subject: Analyst A invites you to Fairhire$/m)
      expect(raw.replace(/=\r\n/g, '')).toContain(`${PUBLIC}/invite/`)
    } finally {
      await t.close()
      await smtp.close()
    }
  })
})
