import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { t as text } from '../../src/questionnaire/text.ts'
import { Client, multipartFile } from '../helpers/client.ts'
import { compiled } from '../helpers/scoring.ts'
import { PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

/**
 * The offline questionnaire uploaded back over HTTP: an untouched export changes nothing, and rows of
 * questions that are not asked under the answers in the file are not saved but listed as ignored.
 * The world's requested assessment has the site profile saved: housing provided (A0.8 "Yes"), so the
 * housing headcount A0.8b and the housing section A8 are asked.
 */

const { cq } = compiled('employer')
/** The label a person picks from the drop-down. */
const label = (qid: string, choice: string) => text(cq.byId.get(qid)?.choiceById.get(choice)?.label)

type Stored = Record<string, { value: unknown; comment: string | null; version: number }>

describe('offline questionnaire upload', () => {
  let t: TestApp
  let w: World
  worldPerTest((app, world) => {
    t = app
    w = world
  })

  async function respondent() {
    const c = new Client(t.app)
    await c.login(w.users.respA, PASSWORD)
    return c
  }
  const id = () => w.assessments.requested
  const stored = async (c: Client) => (await c.get(`/api/v1/assessments/${id()}/answers`)).json() as Stored
  const revision = async () =>
    (await t.app.db.selectFrom('assessment').select('revision').where('id', '=', id()).executeTakeFirstOrThrow())
      .revision

  /** Downloads the workbook, lets `change` edit the Answers sheet by question id, and gives the file back. */
  async function workbook(c: Client, change?: (cell: (qid: string, column: 'D' | 'E') => ExcelJS.Cell) => void) {
    const res = await c.get(`/assessments/${id()}/questionnaire.xlsx`)
    expect(res.statusCode).toBe(200)
    if (!change) return res.rawPayload
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
    const ws = wb.getWorksheet('Answers') as ExcelJS.Worksheet
    const rows = new Map<string, number>()
    ws.eachRow((row, n) => {
      if (typeof row.getCell(2).value === 'string') rows.set(row.getCell(2).value as string, n)
    })
    change((qid, column) => ws.getCell(`${column}${rows.get(qid)}`))
    return Buffer.from(await wb.xlsx.writeBuffer())
  }

  async function upload(c: Client, data: Buffer, accept = 'text/html') {
    const file = multipartFile(c.csrf, data)
    return c.request({
      method: 'POST',
      url: `/assessments/${id()}/questionnaire.xlsx`,
      payload: file.payload,
      headers: { ...file.headers, accept },
    })
  }

  it('takes back its own export of a question with a comment and no answer, and changes nothing', async () => {
    const c = await respondent()
    const put = await c.api('PUT', `/api/v1/assessments/${id()}/answers`, {
      answers: {},
      comments: { 'A1.4': 'Training planned', 'A0.1b': 'Two sites', 'A0.3': 'Seasonal peaks' },
    })
    expect(put.statusCode, put.body).toBe(200)
    const before = await stored(c)
    const rev = await revision()
    // Before the fix the Answer cells held the text "null", and the file was refused with three problems.
    const res = await upload(c, await workbook(c))
    expect(res.statusCode, res.body.slice(0, 400)).toBe(303)
    expect(res.headers.location).toBe(`/assessments/${id()}?imported=0`)
    expect(await stored(c)).toEqual(before)
    expect(await revision()).toBe(rev)
    const page = await c.get(res.headers.location as string)
    expect(page.body).toContain('The workbook was imported: 0 answers or comments changed.')
  })

  it('does not save rows of questions the other answers in the file leave unasked, and lists them', async () => {
    const c = await respondent()
    const data = await workbook(c, (cell) => {
      // "No housing", and in the same file the housing headcount and housing answers filled in.
      cell('A0.8', 'D').value = 'No'
      cell('A0.8b', 'D').value = 250
      cell('A8.1', 'D').value = label('A8.1', 'meets_all')
      cell('A8.2', 'E').value = 'Dormitory inspected in May'
      cell('A1.4', 'D').value = 'Partly'
    })
    const res = await upload(c, data)
    expect(res.statusCode, res.body.slice(0, 400)).toBe(303)
    expect(res.headers.location).toBe(
      `/assessments/${id()}?imported=2&ignored=${encodeURIComponent('A0.8b,A8.1,A8.2')}`,
    )
    const after = await stored(c)
    expect(after['A0.8']?.value).toBe('no')
    expect(after['A1.4']?.value).toBe('partly')
    // Before the fix A8.1 and A8.2 were saved, and A0.8b became 250.
    expect(after['A8.1']).toBeUndefined()
    expect(after['A8.2']).toBeUndefined()
    // The headcount saved before stays, as a save from the form keeps it: it is not asked, so it does not count.
    expect(after['A0.8b']?.value).toBe(180)

    const page = await c.get(res.headers.location as string)
    expect(page.body).toContain('The workbook was imported: 2 answers or comments changed.')
    expect(page.body).toContain('Not saved, because these questions are not asked given the other answers')
    expect(page.body).toMatch(/<li>A0\.8b [^<]+<\/li><li>A8\.1 [^<]+<\/li><li>A8\.2 [^<]+<\/li>/)
    // 15 answers are saved (the world's profile of 13, A6.1 and A1.4), but the headcount kept from before is not
    // asked, so 14 count, as on the section pages.
    expect(Object.values(after).filter((x) => x.value !== null)).toHaveLength(15)
    expect(page.body).toMatch(/<dd>14 of \d+ answered<\/dd>/)

    const log = await t.app.db
      .selectFrom('audit_log')
      .select('new_value')
      .where('action', '=', 'import_workbook')
      .where('assessment_id', '=', id())
      .execute()
    expect(log.map((r) => JSON.parse(r.new_value ?? 'null'))).toEqual([
      { changed: 2, ignored: ['A0.8b', 'A8.1', 'A8.2'] },
    ])
  })

  it('tells an API client what it ignored, with the cell of each row', async () => {
    const c = await respondent()
    let row = 0
    const data = await workbook(c, (cell) => {
      cell('A0.8', 'D').value = 'No'
      cell('A8.3', 'D').value = label('A8.3', 'free')
      row = Number(cell('A8.3', 'D').row)
    })
    const res = await upload(c, data, 'application/json')
    expect(res.statusCode, res.body.slice(0, 400)).toBe(200)
    expect(res.json()).toEqual({
      saved: 1,
      ignored: [
        {
          field: `Answers!D${row}`,
          question: 'A8.3',
          message: 'A8.3: not saved: the questions of section A8 are asked only if the answer to A0.8 is "Yes"',
        },
      ],
    })
  })

  it('decides what is asked on the answers as they will be after the import', async () => {
    const c = await respondent()
    expect((await c.api('PUT', `/api/v1/assessments/${id()}/answers`, { answers: { 'A0.8': 'no' } })).statusCode).toBe(
      200,
    )
    // A save from the form keeps the headcount of a question that is no longer asked.
    expect((await stored(c))['A0.8b']?.value).toBe(180)
    const data = await workbook(c, (cell) => {
      // Housing provided again, and its questions answered, in one file: all of it is asked, so all is saved.
      cell('A0.8', 'D').value = 'Yes'
      cell('A0.8b', 'D').value = 200
      cell('A8.1', 'D').value = label('A8.1', 'meets_all')
    })
    const res = await upload(c, data)
    expect(res.headers.location).toBe(`/assessments/${id()}?imported=3`)
    const after = await stored(c)
    expect([after['A0.8']?.value, after['A0.8b']?.value, after['A8.1']?.value]).toEqual(['yes', 200, 'meets_all'])
  })

  it('clears a saved answer of a question that is not asked when its cell is emptied', async () => {
    const c = await respondent()
    await c.api('PUT', `/api/v1/assessments/${id()}/answers`, { answers: { 'A0.8': 'no' } })
    const data = await workbook(c, (cell) => {
      cell('A0.8b', 'D').value = null
    })
    const res = await upload(c, data)
    expect(res.headers.location).toBe(`/assessments/${id()}?imported=1`)
    expect((await stored(c))['A0.8b']).toBeUndefined()
  })
})
