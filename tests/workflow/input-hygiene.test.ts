import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { Client } from '../helpers/client.ts'
import { PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

function multipart(fields: Record<string, string>, file?: { name: string; data: Buffer }) {
  const boundary = '----fh-hygiene'
  const parts: Buffer[] = Object.entries(fields).map(([k, v]) =>
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`),
  )
  if (file)
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n`,
      ),
      file.data,
      Buffer.from('\r\n'),
    )
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

// What people cannot mean to type: NUL, bell, vertical tab (Word's line break), escape, DEL, a C1 control,
// and a carriage return that does not end a line.
const CONTROL = ['\u0000', '\u0007', '\u000b', '\u001b', '\u007f', '\u0085', '\r']

describe('text fields refuse control characters; numbers stay exact', () => {
  let t: TestApp
  let w: World
  let supplier: Client
  let id: number
  worldPerTest((app, world) => {
    t = app
    w = world
  })
  const answers = async () => (await supplier.get(`/api/v1/assessments/${id}/answers`)).json()

  async function signIn() {
    supplier = new Client(t.app)
    await supplier.login(w.users.respA, PASSWORD)
    id = w.assessments.requested
  }

  it('the JSON API: 400 naming the field, nothing stored; tabs and line breaks (LF or CR LF) are kept', async () => {
    await signIn()
    const before = await answers()
    for (const c of CONTROL) {
      for (const body of [{ answers: { 'A0.1b': `Samut${c}Sakhon` } }, { comments: { 'A0.1b': `note${c}` } }]) {
        const res = await supplier.api('PUT', `/api/v1/assessments/${id}/answers`, body)
        expect(res.statusCode, JSON.stringify(body)).toBe(400)
        const field = 'answers' in body ? 'body.answers.A0.1b' : 'body.comments.A0.1b'
        expect(res.json().issues, JSON.stringify(body)).toEqual([
          { field, message: expect.stringContaining('control character') },
        ])
        expect(res.json().message).toMatch(new RegExp(`^${field.replaceAll('.', '\\.')} holds a control character`))
      }
    }
    expect(await answers()).toEqual(before)
    const text = 'Samut Sakhon\r\nMahachai\tzone 2\nsoi 4'
    const ok = await supplier.api('PUT', `/api/v1/assessments/${id}/answers`, {
      answers: { 'A0.1b': text },
      comments: { 'A0.1b': text },
    })
    expect(ok.statusCode, ok.body).toBe(200)
    expect((await answers())['A0.1b']).toMatchObject({ value: text, comment: text })
  })

  it('whole numbers beyond 2^53 are refused, not stored rounded', async () => {
    await signIn()
    for (const n of [1.23e29, 2 ** 53, '123456789012345678901234567890', -(2 ** 60)]) {
      const res = await supplier.api('PUT', `/api/v1/assessments/${id}/answers`, { answers: { 'A0.3': n } })
      expect(res.statusCode, String(n)).toBe(400)
      expect(res.json().issues, String(n)).toEqual([
        { field: 'answers.A0.3', message: expect.stringContaining('too large: at most 9,007,199,254,740,991') },
      ])
    }
    expect((await answers())['A0.3'].value).toBe(400)
    const exact = await supplier.api('PUT', `/api/v1/assessments/${id}/answers`, {
      answers: { 'A0.3': Number.MAX_SAFE_INTEGER },
    })
    expect(exact.statusCode, exact.body).toBe(200)
    expect((await answers())['A0.3'].value).toBe(Number.MAX_SAFE_INTEGER)
  })

  it('the section form, sent as a form or as multipart: 400 naming the field, nothing stored', async () => {
    await signIn()
    const before = await answers()
    await supplier.get(`/assessments/${id}/sections/A0`)
    const fields = { _csrf: supplier.csrf, 'present[A0.1b]': '1', 'a[A0.1b]': 'Samut Sakhon', 'c[A0.1b]': 'x\u001by' }
    const form = await supplier.post(`/assessments/${id}/sections/A0`, fields)
    expect(form.statusCode).toBe(400)
    expect(form.body).toContain('body.c[A0.1b] holds a control character (escape, U+001B)')
    const parts = await supplier.request({
      method: 'POST',
      url: `/assessments/${id}/sections/A0`,
      ...multipart({ ...fields, 'c[A0.1b]': 'fine', 'a[A0.1b]': 'Samut\u0000Sakhon' }),
    })
    expect(parts.statusCode).toBe(400)
    expect(parts.body).toContain('body.a[A0.1b] holds a control character (NUL, U+0000)')
    expect(await answers()).toEqual(before)
    // A textarea's lines arrive as CR LF: accepted.
    const lines = await supplier.request({
      method: 'POST',
      url: `/assessments/${id}/sections/A0`,
      ...multipart({ ...fields, 'c[A0.1b]': 'line one\r\nline two' }),
    })
    expect(lines.statusCode, lines.body.slice(0, 300)).toBe(303)
    expect((await answers())['A0.1b'].comment).toBe('line one\r\nline two')
  })

  it('other forms too: a token name with a NUL is refused naming the field', async () => {
    const admin = new Client(t.app)
    await admin.login(w.users.adminA, PASSWORD)
    await admin.get('/tokens')
    const res = await admin.post('/tokens', { name: 'erp\u0000', role: 'viewer' })
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('body.name holds a control character (NUL, U+0000)')
    expect((await t.app.db.selectFrom('api_token').select('name').execute()).map((x) => x.name)).toEqual([
      'integration',
    ])
  })

  it('the offline workbook: an answer or comment with a control character is refused naming the cell', async () => {
    await signIn()
    const before = await answers()
    const res = await supplier.get(`/assessments/${id}/questionnaire.xlsx`)
    // exceljs drops C0 controls and DEL when it writes a file (a crafted file can still carry them as character
    // references); the C1 range it writes as it is.
    for (const [column, value] of [
      [4, 'Samut\u0085Sakhon'],
      [5, 'note\u009b'],
    ] as const) {
      const wb = new ExcelJS.Workbook()
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
      const sheet = wb.getWorksheet('Answers') as ExcelJS.Worksheet
      let row = 0
      sheet.eachRow((r, n) => {
        if (r.getCell(2).value === 'A0.1b') row = n
      })
      sheet.getCell(row, column).value = value
      const data = Buffer.from(await wb.xlsx.writeBuffer())
      await supplier.get(`/assessments/${id}`)
      const up = await supplier.request({
        method: 'POST',
        url: `/assessments/${id}/questionnaire.xlsx`,
        ...multipart({ _csrf: supplier.csrf }, { name: 'q.xlsx', data }),
      })
      expect(up.statusCode, `column ${column}: ${up.body.slice(0, 300)}`).toBe(400)
      expect(up.body).toContain(`<td>Answers</td><td>${column === 4 ? 'D' : 'E'}${row}</td>`)
      expect(up.body).toContain('A0.1b: ')
      expect(up.body).toContain('control character')
    }
    expect(await answers()).toEqual(before)
  })
})
