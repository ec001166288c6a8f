import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { testApp } from '../helpers/app.ts'
import { Client, multipartFile } from '../helpers/client.ts'
import { bestAnswers, compiled, PROFILE } from '../helpers/scoring.ts'
import { buildWorld, PASSWORD, type TestApp, type World, worldPerTest } from '../helpers/world.ts'

describe('gap report download and action plan upload over HTTP', () => {
  let t: TestApp
  let w: World
  worldPerTest((app, world) => {
    t = app
    w = world
  })

  it('downloads the gap report, and applies an edited action plan all or nothing', async () => {
    const supplier = new Client(t.app)
    await supplier.login(w.users.respA, PASSWORD)
    const { cq } = compiled('employer')
    const id = w.assessments.requested
    await supplier.api('PUT', `/api/v1/assessments/${id}/answers`, {
      answers: { ...bestAnswers(cq, PROFILE), 'A6.1': 'held_restricted', 'A1.4': 'no' },
    })
    expect((await supplier.api('POST', `/api/v1/assessments/${id}/submit`)).statusCode).toBe(200)

    const res = await supplier.get(`/assessments/${id}/report.xlsx`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="gap-report-Supplier-A-\d+-\d{4}-\d{2}-\d{2}\.xlsx"$/,
    )
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
    expect(wb.worksheets.map((s) => s.name)).toEqual([
      'Top actions',
      'Summary',
      'Red flags',
      'Action plan',
      'Answers',
      'Method',
    ])
    // The brand that requested it can download it too; another brand cannot.
    const brand = new Client(t.app)
    await brand.login(w.users.analystA, PASSWORD)
    expect((await brand.get(`/assessments/${id}/report.xlsx`)).statusCode).toBe(200)
    const other = new Client(t.app)
    await other.login(w.users.analystB, PASSWORD)
    expect((await other.get(`/assessments/${id}/report.xlsx`, { accept: 'text/html' })).statusCode).toBe(404)

    // Edit the owner of one action in the workbook and upload it back.
    const sheet = wb.getWorksheet('Action plan') as ExcelJS.Worksheet
    let ownerCol = 0
    let headerRow = 0
    sheet.eachRow((row, n) => {
      row.eachCell((cell, c) => {
        if (!headerRow && cell.value === 'Owner') {
          ownerCol = c
          headerRow = n
        }
      })
    })
    expect(ownerCol).toBeGreaterThan(0)
    // Action rows carry their id in the hidden column A; section headings sit between them.
    const actionRows: number[] = []
    sheet.eachRow((row, n) => {
      if (n > headerRow && typeof row.getCell(1).value === 'number') actionRows.push(n)
    })
    const [firstAction = 0, secondAction = 0] = actionRows
    sheet.getCell(firstAction, ownerCol).value = 'Dormitory manager'
    const edited = Buffer.from(await wb.xlsx.writeBuffer())
    await supplier.get(`/assessments/${id}/results`)
    const up = await supplier.request({
      method: 'POST',
      url: `/assessments/${id}/action-plan.xlsx`,
      ...multipartFile(supplier.csrf, edited, 'plan.xlsx'),
    })
    expect(up.statusCode, up.body.slice(0, 500)).toBe(303)
    const owners = (
      await t.app.db.selectFrom('action_item').select('owner').where('assessment_id', '=', id).execute()
    ).map((r) => r.owner)
    expect(owners).toContain('Dormitory manager')

    // A bad row: nothing changes, and the page names the sheet and cell.
    sheet.getCell(firstAction, ownerCol).value = 'Someone new'
    let statusCol = 0
    sheet.getRow(headerRow).eachCell((cell, c) => {
      if (cell.value === 'Status') statusCol = c
    })
    sheet.getCell(secondAction, statusCol).value = 'finished-ish'
    const bad = Buffer.from(await wb.xlsx.writeBuffer())
    const refused = await supplier.request({
      method: 'POST',
      url: `/assessments/${id}/action-plan.xlsx`,
      ...multipartFile(supplier.csrf, bad, 'plan.xlsx'),
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain('Nothing was changed')
    expect(refused.body).toMatch(/<td>Action plan<\/td><td>[A-Z]+\d+<\/td>/)
    const after = (
      await t.app.db.selectFrom('action_item').select('owner').where('assessment_id', '=', id).execute()
    ).map((r) => r.owner)
    expect(after).not.toContain('Someone new')
    expect(after).toContain('Dormitory manager')
  })
})

describe('offline questionnaire workbook and portfolio spreadsheet over HTTP', () => {
  it('round-trips answers through Excel, refuses a bad row naming the cell, and exports the portfolio', async () => {
    const t = await testApp()
    try {
      const w = await buildWorld(t.app)
      const supplier = new Client(t.app)
      await supplier.login(w.users.respA, PASSWORD)
      const id = w.assessments.requested
      const res = await supplier.get(`/assessments/${id}/questionnaire.xlsx`)
      expect(res.statusCode).toBe(200)
      const wb = new ExcelJS.Workbook()
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
      const sheet = wb.getWorksheet('Answers') as ExcelJS.Worksheet
      const rowOf = (qid: string) => {
        let found = 0
        sheet.eachRow((row, n) => {
          if (row.getCell(2).value === qid) found = n
        })
        return found
      }
      // Pre-filled: A6.1 holds the saved answer's label.
      expect(String(sheet.getCell(rowOf('A6.1'), 4).value)).toMatch(/keeps them/)
      sheet.getCell(rowOf('A1.4'), 4).value = 'Partly'
      sheet.getCell(rowOf('A1.4'), 5).value = 'Training planned for March'
      const good = Buffer.from(await wb.xlsx.writeBuffer())
      await supplier.get(`/assessments/${id}`)
      const up = await supplier.request({
        method: 'POST',
        url: `/assessments/${id}/questionnaire.xlsx`,
        ...multipartFile(supplier.csrf, good, 'q.xlsx'),
      })
      expect(up.statusCode, up.body.slice(0, 300)).toBe(303)
      const answers = (await supplier.get(`/api/v1/assessments/${id}/answers`)).json()
      expect(answers['A1.4']).toMatchObject({ value: 'partly', comment: 'Training planned for March' })
      const log = await t.app.db
        .selectFrom('audit_log')
        .select('action')
        .where('assessment_id', '=', id)
        .where('action', '=', 'import_workbook')
        .execute()
      expect(log).toHaveLength(1)

      sheet.getCell(rowOf('A1.4'), 4).value = 'No'
      sheet.getCell(rowOf('A1.5'), 4).value = 'Perhaps'
      const bad = Buffer.from(await wb.xlsx.writeBuffer())
      const refused = await supplier.request({
        method: 'POST',
        url: `/assessments/${id}/questionnaire.xlsx`,
        ...multipartFile(supplier.csrf, bad, 'q.xlsx'),
      })
      expect(refused.statusCode).toBe(400)
      expect(refused.body).toMatch(new RegExp(`<td>Answers</td><td>D${rowOf('A1.5')}</td>`))
      expect((await supplier.get(`/api/v1/assessments/${id}/answers`)).json()['A1.4'].value).toBe('partly')

      const notXlsx = await supplier.request({
        method: 'POST',
        url: `/assessments/${id}/questionnaire.xlsx`,
        ...multipartFile(supplier.csrf, Buffer.from('not a spreadsheet at all'), 'q.xlsx'),
      })
      expect(notXlsx.statusCode).toBe(400)

      const brand = new Client(t.app)
      await brand.login(w.users.analystA, PASSWORD)
      const portfolio = await brand.get('/portfolio.xlsx')
      expect(portfolio.statusCode).toBe(200)
      const pwb = new ExcelJS.Workbook()
      await pwb.xlsx.load(portfolio.rawPayload as unknown as ArrayBuffer)
      expect(pwb.worksheets.map((s) => s.name)).toEqual(
        expect.arrayContaining(['Suppliers', 'Heat map', 'Red flags', 'Gaps']),
      )
      const names: string[] = []
      ;(pwb.getWorksheet('Suppliers') as ExcelJS.Worksheet).eachRow((row) => {
        row.eachCell((cell) => {
          if (cell.value === 'Supplier A') names.push(String(cell.value))
        })
      })
      expect(names).toEqual(['Supplier A'])
      expect((await supplier.get('/portfolio.xlsx', { accept: 'text/html' })).statusCode).toBe(403)
    } finally {
      await t.close()
    }
  })
})
