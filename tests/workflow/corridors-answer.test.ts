import { beforeEach, describe, expect, it } from 'vitest'
import { Client } from '../helpers/client.ts'
import { PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

/**
 * The employer profile's migration routes (A0.4, a corridors question since 2026.2) on the answer page: a table of
 * rows (country, number of workers, channel), saved as rows, shown again in the table, and a bad row refused naming
 * the row and what is wrong. tests/workflow/routes-answer.test.ts covers the table in more detail.
 */

function multipart(fields: [string, string][]) {
  const boundary = '----fairhire-corridors-boundary'
  const parts = fields.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
  return {
    payload: Buffer.from(`${parts.join('')}--${boundary}--\r\n`),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  }
}

describe('migration routes on the answer page', () => {
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

  const url = () => `/assessments/${w.assessments.selfA}/sections/A0`
  const api = () => `/api/v1/assessments/${w.assessments.selfA}/answers`
  /** Rows of the routes table, [country, workers, channel] each. */
  async function post(rows: string[][]) {
    const page = await c.get(url())
    const version = (q: string) =>
      new RegExp(`name="v\\[${q.replace('.', '\\.')}\\]" value="(\\d+)"`).exec(page.body)?.[1] ?? '0'
    const body = multipart([
      ['_csrf', c.csrf],
      ['present[A0.3b]', '1'],
      ['v[A0.3b]', version('A0.3b')],
      ['a[A0.3b]', '150'],
      ['present[A0.4]', '1'],
      ['v[A0.4]', version('A0.4')],
      ...rows.flatMap((r, i) =>
        ['origin', 'workers', 'choice'].map((k, j) => [`a[A0.4][${i}][${k}]`, r[j] as string] as [string, string]),
      ),
    ])
    return c.request({ method: 'POST', url: url(), ...body })
  }

  it('saves the rows of the routes table and shows them again in it, with the channels to choose from', async () => {
    const page = await c.get(url())
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<table class="routes" data-routes="A0.4">')
    expect(page.body).toMatch(
      /name="a\[A0\.4\]\[0\]\[choice\]"[^>]*>\s*<option value="">–<\/option>\s*<option value="direct">/,
    )

    const res = await post([
      ['NP', '120', 'origin_agency'],
      ['BD', '30', 'informal_broker'],
    ])
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303)
    expect((await c.get(api())).json()['A0.4'].value).toEqual(['NP:120:origin_agency', 'BD:30:informal_broker'])
    const again = (await c.get(url())).body
    expect(again).toMatch(/name="a\[A0\.4\]\[1\]\[origin\]"[^>]*>[\s\S]*?<option value="BD" selected>/)
    expect(again).toContain('name="a[A0.4][1][workers]" data-k="workers" value="30"')
  })

  it('refuses a row that is not a route, naming the row and what is wrong, and saves nothing', async () => {
    const res = await post([
      ['NP', '120', 'origin_agency'],
      ['NP', '30', ''],
    ])
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('Route 2: choose an answer in the last column.')
    expect((await c.get(api())).json()['A0.4']).toBeUndefined()
    const unknown = await post([['NP', '120', 'friends']])
    expect(unknown.statusCode).toBe(400)
    expect(unknown.body).toContain('Route 1: &quot;friends&quot; is not one of the answers.')
  })
})
