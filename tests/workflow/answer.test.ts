import { beforeEach, describe, expect, it } from 'vitest'
import { Client } from '../helpers/client.ts'
import { PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n')

/** A multipart body as a browser sends it for the section form. */
function multipart(fields: [string, string][], files: [string, string, Buffer][] = []) {
  const boundary = '----fairhire-test-boundary'
  const parts: Buffer[] = []
  for (const [k, v] of fields)
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`))
  for (const [k, name, data] of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${k}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      data,
      Buffer.from('\r\n'),
    )
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

describe('answering a section in the browser', () => {
  let t: TestApp
  let w: World
  let c: Client
  worldPerTest((app, world) => {
    t = app
    w = world
  })
  beforeEach(async () => {
    c = new Client(t.app)
    await c.login(w.users.respA, PASSWORD)
  })

  const url = () => `/assessments/${w.assessments.selfA}/sections/A6`
  async function post(fields: [string, string][], files: [string, string, Buffer][] = []) {
    const page = await c.get(url())
    const version = (q: string) =>
      new RegExp(`name="v\\[${q.replace('.', '\\.')}\\]" value="(\\d+)"`).exec(page.body)?.[1] ?? '0'
    const body = multipart(
      [
        ['_csrf', c.csrf],
        ['present[A6.1]', '1'],
        ['v[A6.1]', version('A6.1')],
        ['present[A6.2]', '1'],
        ['v[A6.2]', version('A6.2')],
        ...fields,
      ],
      files,
    )
    return c.request({ method: 'POST', url: url(), ...body })
  }

  it('gives the page script only the answers from other sections that its conditions read', async () => {
    const api = `/api/v1/assessments/${w.assessments.selfA}/answers`
    expect((await c.api('PUT', api, { answers: { 'A0.7': 'yes', 'A0.1b': 'Rayong' } })).statusCode).toBe(200)
    const saved = (body: string) =>
      JSON.parse((/data-saved="([^"]*)"/.exec(body)?.[1] ?? '').replaceAll('&quot;', '"').replaceAll('&#39;', "'"))
    // A6.9 appears when A0.7 (tied permits) is yes; nothing in A6 reads the site's town.
    expect(saved((await c.get(url())).body)).toEqual({ 'A0.7': 'yes' })
  })

  it('refuses a section form (multipart) without its CSRF token, or with a forged one, and saves nothing', async () => {
    for (const token of [null, 'forged-token']) {
      const body = multipart([
        ...(token === null ? [] : ([['_csrf', token]] as [string, string][])),
        ['present[A6.1]', '1'],
        ['a[A6.1]', 'held_restricted'],
      ])
      const res = await c.request({ method: 'POST', url: url(), ...body })
      expect(res.statusCode, String(token)).toBe(403)
    }
    const stored = (await c.api('GET', `/api/v1/assessments/${w.assessments.selfA}/answers`)).json()
    expect(stored['A6.1']).toBeUndefined()
  })

  it('shows one section with a section list, progress, guidance behind a disclosure, and inputs tied to labels', async () => {
    const page = await c.get(url())
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<progress')
    expect(page.body).toContain('A6 Identity documents and freedom of movement')
    expect(page.body).toMatch(/<details>\s*<summary>Guidance, evidence and sources<\/summary>/)
    expect(page.body).toContain('name="a[A6.1]"')
    expect(page.body).toContain('<script src="/assets/js/answer.js')
    expect(page.body).not.toMatch(/<script>(?!<\/script>)/)
  })

  it('saves answers, comments and evidence together, and refuses a bad file without losing what was typed', async () => {
    const ok = await post(
      [
        ['a[A6.1]', 'voluntary_safekeeping'],
        ['c[A6.1]', 'Lockers in every room'],
        ['a[A6.2]', 'yes'],
      ],
      [['file[A6.1]', 'consent-forms.pdf', PDF]],
    )
    expect(ok.statusCode).toBe(303)
    const answers = (await c.get(`/api/v1/assessments/${w.assessments.selfA}/answers`)).json()
    expect(answers['A6.1']).toMatchObject({ value: 'voluntary_safekeeping', comment: 'Lockers in every room' })
    const page = await c.get(url())
    const link = /href="(\/assessments\/\d+\/evidence\/\d+)" download>consent-forms.pdf</.exec(page.body)?.[1]
    expect(link).toBeDefined()
    const file = await c.get(link as string)
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="consent-forms.pdf"/)
    expect(file.headers['content-type']).toBe('application/pdf')
    expect(file.rawPayload.equals(PDF)).toBe(true)

    // A file that is not what it claims: refused, nothing saved, the typed answer stays on the page.
    const bad = await post(
      [
        ['a[A6.1]', 'workers_hold'],
        ['c[A6.1]', 'typed but not saved'],
      ],
      [['file[A6.1]', 'photo.pdf', Buffer.from('MZ\x90\x00 this is an executable, not a PDF')]],
    )
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('is not a PDF, an image or an office document')
    expect(bad.body).toMatch(/value="workers_hold" checked/)
    expect(bad.body).toContain('typed but not saved')
    const big = await post(
      [['a[A6.1]', 'workers_hold']],
      [['file[A6.1]', 'scan.pdf', Buffer.concat([PDF, Buffer.alloc(11 * 1024 * 1024)])]],
    )
    expect(big.statusCode).toBe(400)
    expect(big.body).toContain('is larger than 10 MB')
    expect((await c.get(`/api/v1/assessments/${w.assessments.selfA}/answers`)).json()['A6.1'].value).toBe(
      'voluntary_safekeeping',
    )
  })

  it('refuses a save made on a stale copy and shows both values', async () => {
    const first = await c.get(url())
    const staleVersion = /name="v\[A6\.1\]" value="(\d+)"/.exec(first.body)?.[1] as string
    // Someone else saves in between.
    const other = new Client(t.app)
    await other.login(w.users.adminSA, PASSWORD)
    expect(
      (
        await other.api('PUT', `/api/v1/assessments/${w.assessments.selfA}/answers`, {
          answers: { 'A6.1': 'held_restricted' },
        })
      ).statusCode,
    ).toBe(200)
    const body = multipart([
      ['_csrf', c.csrf],
      ['present[A6.1]', '1'],
      ['v[A6.1]', staleVersion],
      ['a[A6.1]', 'workers_hold'],
    ])
    const res = await c.request({ method: 'POST', url: url(), ...body })
    expect(res.statusCode).toBe(409)
    expect(res.body).toContain('Someone else saved a different answer')
    expect(res.body).toMatch(
      /Saved by someone else:<\/strong> The employer, a recruiter or an agent keeps them, and workers cannot get them back freely/,
    )
    expect(res.body).toMatch(/Your answer \(kept in the form\):<\/strong> Workers keep their own documents/)
    expect((await c.get(`/api/v1/assessments/${w.assessments.selfA}/answers`)).json()['A6.1'].value).toBe(
      'held_restricted',
    )
  })

  it('shows validation messages next to the field and keeps the typed value', async () => {
    const page = await c.get(`/assessments/${w.assessments.selfA}/sections/A0`)
    expect(page.statusCode).toBe(200)
    const body = multipart([
      ['_csrf', c.csrf],
      ['present[A0.3]', '1'],
      ['v[A0.3]', '0'],
      ['a[A0.3]', '-5'],
    ])
    const res = await c.request({ method: 'POST', url: `/assessments/${w.assessments.selfA}/sections/A0`, ...body })
    expect(res.statusCode).toBe(400)
    expect(res.body).toMatch(
      /<p class="field-error" id="err-A0\.3" role="alert">Enter a whole number of 1 or more\.<\/p>/,
    )
    expect(res.body).toContain('value="-5"')
  })

  it('lists unanswered required questions before submitting, with links to them', async () => {
    const page = await c.get(`/assessments/${w.assessments.selfA}/submit`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toMatch(/href="\/assessments\/\d+\/sections\/A0#q-A0\.1"/)
    expect(page.body).toMatch(/<button type="submit" class="primary" disabled>/)
  })
})
