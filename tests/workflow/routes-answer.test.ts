import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createOrganisation } from '../../src/access/organisation.service.ts'
import { createUser } from '../../src/access/person.service.ts'
import { startSelfCheck } from '../../src/assessment/assessment.service.ts'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../../src/paths.ts'
import { testApp } from '../helpers/app.ts'
import { Client, multipartFile } from '../helpers/client.ts'
import { routesQuestionnaire, routesYaml } from '../helpers/routes.ts'
import { PASSWORD, principal } from '../helpers/world.ts'

/**
 * Migration routes (a `corridors` question) answered through the public surface: the answer page's routes table,
 * which works without JavaScript and names the row of every problem, and the offline workbook's cell, which reads
 * back what it wrote. The app runs on the questionnaires with their 2026.2 profile questions.
 */

const employer = routesQuestionnaire('employer').cq
const recruiter = routesQuestionnaire('recruiter').cq
const A04 = employer.entries.find((e) => e.question.profile === 'corridors')?.question.id as string
const B08 = recruiter.entries.find((e) => e.question.profile === 'corridors')?.question.id as string
const A0 = employer.byId.get(A04)?.section.id as string
const B0 = recruiter.byId.get(B08)?.section.id as string

/** A multipart body as a browser sends the section form. */
function multipart(fields: [string, string][]) {
  const boundary = '----fairhire-routes-boundary'
  const parts = fields.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
  return {
    payload: Buffer.from(`${parts.join('')}--${boundary}--\r\n`),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  }
}

/** The fields of rows of a routes table: [origin, workers, choice] or [origin, destination, workers, choice]. */
function routeFields(qid: string, rows: string[][]): [string, string][] {
  return rows.flatMap((r, i) => {
    const keys = r.length === 4 ? ['origin', 'destination', 'workers', 'choice'] : ['origin', 'workers', 'choice']
    return keys.map((k, j) => [`a[${qid}][${i}][${k}]`, r[j] as string] as [string, string])
  })
}

describe('migration routes on the answer page and in the offline workbook', () => {
  let dir: string
  let t: Awaited<ReturnType<typeof testApp>>
  let c: Client
  let site: number
  let agency: Client
  let placements: number

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fairhire-routes-'))
    cpSync(DEFAULT_QUESTIONNAIRES_DIR, dir, { recursive: true })
    writeFileSync(join(dir, 'employer.yaml'), routesYaml('employer'))
    writeFileSync(join(dir, 'recruiter.yaml'), routesYaml('recruiter'))
    t = await testApp({ QUESTIONNAIRES_DIR: dir })
    const db = t.app.db
    const supplier = await createOrganisation(db, { kind: 'supplier', name: 'Penang Circuits', country: 'MY' })
    const hr = await createUser(
      db,
      { organisationId: supplier, email: 'hr@site.test', name: 'HR', password: PASSWORD, role: 'respondent' },
      null,
    )
    site = await startSelfCheck(db, principal(hr, supplier, 'supplier', 'respondent'), { questionnaire: 'employer' })
    c = new Client(t.app)
    await c.login('hr@site.test', PASSWORD)
    const rec = await createOrganisation(db, { kind: 'recruiter', name: 'Dhaka Manpower', country: 'BD' })
    const ops = await createUser(
      db,
      { organisationId: rec, email: 'ops@agency.test', name: 'Ops', password: PASSWORD, role: 'respondent' },
      null,
    )
    placements = await startSelfCheck(db, principal(ops, rec, 'recruiter', 'respondent'), {
      questionnaire: 'recruiter',
    })
    agency = new Client(t.app)
    await agency.login('ops@agency.test', PASSWORD)
  })
  afterEach(async () => {
    await t.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const page = (who: Client, id: number, sid: string) => who.get(`/assessments/${id}/sections/${sid}`)
  const stored = async (who: Client, id: number, qid: string) =>
    (await who.get(`/api/v1/assessments/${id}/answers`)).json()[qid]?.value ?? null

  async function save(who: Client, id: number, sid: string, qid: string, rows: string[][]) {
    const current = await page(who, id, sid)
    const version = new RegExp(`name="v\\[${qid.replace('.', '\\.')}\\]" value="(\\d+)"`).exec(current.body)?.[1]
    const body = multipart([
      ['_csrf', who.csrf],
      [`present[${qid}]`, '1'],
      [`v[${qid}]`, version ?? '0'],
      ...routeFields(qid, rows),
    ])
    return who.request({ method: 'POST', url: `/assessments/${id}/sections/${sid}`, ...body })
  }

  it('shows a routes table of eight rows with the countries sorted by name', async () => {
    const res = await page(c, site, A0)
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain(`<table class="routes" data-routes="${A04}">`)
    const table = res.body.slice(res.body.indexOf('<table class="routes"'), res.body.indexOf('</table>'))
    expect(table.match(/<th scope="row"/g)).toHaveLength(8)
    const origins = [...table.slice(0, table.indexOf('</select>')).matchAll(/<option value="(\w*)"[^>]*>([^<]*)</g)]
    const names = origins.slice(1).map((m) => m[2] as string)
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')))
    expect(names.indexOf('Uganda')).toBeLessThan(names.indexOf('United Arab Emirates'))
    expect(res.body).toContain('Need more rows? Save, and more empty rows appear.')
  })

  it('saves the rows that are filled in, leaves out empty ones, and shows more empty rows after a save', async () => {
    const rows = [
      ['MM', '240', 'origin_agency'],
      ['', '', ''],
      ['NP', ' 1,200 ', 'informal_broker'],
      ...Array.from({ length: 4 }, (_, i) => [['KH', 'LA', 'VN', 'ID'][i] as string, String(10 + i), 'direct']),
    ]
    const res = await save(c, site, A0, A04, rows)
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303)
    expect(await stored(c, site, A04)).toEqual([
      'MM:240:origin_agency',
      'NP:1200:informal_broker',
      'KH:10:direct',
      'LA:11:direct',
      'VN:12:direct',
      'ID:13:direct',
    ])
    // Six saved routes and three empty rows.
    const again = await page(c, site, A0)
    const table = again.body.slice(again.body.indexOf('<table class="routes"'), again.body.indexOf('</table>'))
    expect(table.match(/<th scope="row"/g)).toHaveLength(9)
    expect(table).toMatch(/name="a\[A0\.4\]\[1\]\[workers\]" data-k="workers" value="1200"/)
    // Clearing every row clears the answer.
    expect((await save(c, site, A0, A04, [['', '', '']])).statusCode).toBe(303)
    expect(await stored(c, site, A04)).toBeNull()
  })

  it('refuses incomplete or repeated rows, names each by its number, keeps what was typed and saves nothing', async () => {
    expect((await save(c, site, A0, A04, [['MM', '240', 'origin_agency']])).statusCode).toBe(303)
    const res = await save(c, site, A0, A04, [
      ['MM', '300', 'origin_agency'],
      ['NP', '', 'direct'],
      ['', '12', ''],
      ['XX', '0', 'by_boat'],
      ['MM', '5', 'origin_agency'],
    ])
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('Some answers need a look. Nothing was saved')
    const error = /<p class="field-error" id="err-A0\.4" role="alert">([^<]*)</.exec(res.body)?.[1] ?? ''
    expect(error).toContain('Route 2: enter the number of workers.')
    expect(error).toContain('Route 3: choose the home country; choose an answer in the last column.')
    expect(error).toContain(
      'Route 4: &quot;XX&quot; is not a country in the list; the number of workers must be a whole number from 1 to 1,000,000; &quot;by_boat&quot; is not one of the answers.',
    )
    expect(error).toContain('Route 5: it repeats route 1 (same countries and answer); add the numbers up in one row.')
    // What was typed is on the page again, the incomplete row included.
    expect(res.body).toMatch(/name="a\[A0\.4\]\[0\]\[workers\]" data-k="workers" value="300"/)
    expect(res.body).toMatch(/name="a\[A0\.4\]\[1\]\[origin\]"[^>]*>[\s\S]*?<option value="NP" selected>/)
    expect(res.body).toMatch(/name="a\[A0\.4\]\[2\]\[workers\]" data-k="workers" value="12"/)
    expect(await stored(c, site, A04)).toEqual(['MM:240:origin_agency'])
  })

  it("asks a recruiter for each route's country of work, and refuses a row without it", async () => {
    const res = await page(agency, placements, B0)
    expect(res.body).toContain(`<table class="routes" data-routes="${B08}" data-destination="1">`)
    expect(res.body).toContain(`name="a[${B08}][0][destination]"`)
    const bad = await save(agency, placements, B0, B08, [['BD', '', '120', 'none']])
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Route 1: choose the country of work.')
    const ok = await save(agency, placements, B0, B08, [['BD', 'SG', '120', 'one_to_3_months']])
    expect(ok.statusCode).toBe(303)
    expect(await stored(agency, placements, B08)).toEqual(['BD-SG:120:one_to_3_months'])
  })

  it('round-trips the routes through the offline workbook, and reads a line added in words', async () => {
    // The routes are asked of a site that employs migrant workers (A0.4's condition); the import keeps only
    // answers to questions that are asked.
    const workforce = await c.request({
      method: 'PUT',
      url: `/api/v1/assessments/${site}/answers`,
      headers: { 'x-csrf-token': c.csrf, 'content-type': 'application/json' },
      payload: JSON.stringify({ answers: { 'A0.3': 400, 'A0.3b': 300 } }),
    })
    expect(workforce.statusCode, workforce.body).toBe(200)
    expect(
      (
        await save(c, site, A0, A04, [
          ['MM', '240', 'origin_agency'],
          ['KH', '60', 'informal_broker'],
        ])
      ).statusCode,
    ).toBe(303)
    const download = await c.get(`/assessments/${site}/questionnaire.xlsx`)
    expect(download.statusCode).toBe(200)
    const upload = async (data: Buffer) => {
      const file = multipartFile(c.csrf, data)
      return c.request({ method: 'POST', url: `/assessments/${site}/questionnaire.xlsx`, ...file })
    }
    // Untouched: nothing changes.
    const same = await upload(download.rawPayload)
    expect(same.statusCode, same.body.slice(0, 300)).toBe(303)
    expect(same.headers.location).toBe(`/assessments/${site}?imported=0`)

    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(download.rawPayload as unknown as ArrayBuffer)
    const ws = wb.getWorksheet('Answers') as ExcelJS.Worksheet
    let row = 0
    ws.eachRow((r, n) => {
      if (r.getCell(2).value === A04) row = n
    })
    const cell = ws.getCell(`D${row}`)
    expect(String(cell.value).split('\n')).toHaveLength(2)
    expect(String(cell.value)).toMatch(/^Myanmar \(Burma\); 240; /)
    cell.value = `${cell.value}\nNepal; 35; Direct hiring: our own staff found and hired the workers, with no agency or broker`
    const changed = await upload(Buffer.from(await wb.xlsx.writeBuffer()))
    expect(changed.statusCode, changed.body.slice(0, 300)).toBe(303)
    expect(await stored(c, site, A04)).toEqual(['MM:240:origin_agency', 'KH:60:informal_broker', 'NP:35:direct'])

    // A bad line refuses the file and names the cell and the line.
    cell.value = 'Nepal; many; direct'
    const refused = await upload(Buffer.from(await wb.xlsx.writeBuffer()))
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain(`D${row}`)
    expect(refused.body).toContain('line 1: &quot;many&quot; is not a number of workers')
  })

  it('scores the saved routes in the inherent risk', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/score',
      payload: {
        questionnaire: 'employer',
        answers: { 'A0.1': 'MY', 'A0.3': 1000, 'A0.3b': 600, [A04]: ['MM:600:origin_agency'] },
      },
    })
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200)
    const routes = res.json().inherent.factors.find((f: { factor: string }) => f.factor === 'corridors')
    expect(routes).toMatchObject({ question: A04, points: 2, input: 'Myanmar (Burma) to Malaysia 600' })
  })
})
