import { beforeEach, describe, expect, it } from 'vitest'
import { Client } from '../helpers/client.ts'
import { PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

/**
 * The employer profile's migration routes (A0.4, a corridors question since 2026.2) on the answer page: one route
 * per line in a text box, saved as rows, shown again one per line, and a bad row refused naming what is wrong.
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
  async function post(routes: string) {
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
      ['a[A0.4]', routes],
    ])
    return c.request({ method: 'POST', url: url(), ...body })
  }

  it('saves one route per line as rows and shows them again one per line, with the channel codes', async () => {
    const page = await c.get(url())
    expect(page.statusCode).toBe(200)
    expect(page.body).toMatch(/<textarea id="in-A0\.4" name="a\[A0\.4\]" rows="4" placeholder="NP:120:direct"/)
    expect(page.body).toContain('<code>origin_agency</code>')

    const res = await post('NP:120:origin_agency\r\nBD:30:informal_broker')
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303)
    expect((await c.get(api())).json()['A0.4'].value).toEqual(['NP:120:origin_agency', 'BD:30:informal_broker'])
    expect((await c.get(url())).body).toContain('>NP:120:origin_agency\nBD:30:informal_broker</textarea>')
  })

  it('refuses a row that is not a route, naming the row and the allowed channels, and saves nothing', async () => {
    const res = await post('NP:120:origin_agency\nNepal 30')
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('route 2: write origin:workers:choice, for example NP:450:direct')
    expect((await c.get(api())).json()['A0.4']).toBeUndefined()
    const unknown = await post('NP:120:friends')
    expect(unknown.statusCode).toBe(400)
    expect(unknown.body).toContain('route 1: &quot;friends&quot; is not one of direct, destination_agency')
  })
})
