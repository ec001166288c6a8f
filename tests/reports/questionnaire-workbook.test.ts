import { deflateRawSync } from 'node:zlib'
import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { checkAnswers } from '../../src/questionnaire/answers.ts'
import type { AnswerValue } from '../../src/questionnaire/condition.ts'
import {
  buildQuestionnaireWorkbook,
  type PrefilledAnswer,
  parseQuestionnaireWorkbook,
  type WorkbookMeta,
} from '../../src/reports/questionnaire-workbook/build.ts'
import { describeCondition } from '../../src/reports/questionnaire-workbook/conditions.ts'
import { rowKey } from '../../src/reports/questionnaire-workbook/layout.ts'
import { checkXlsxUpload, UploadRejected } from '../../src/reports/upload/limits.ts'
import { convertToPdf, OFFICE } from '../helpers/office.ts'
import { type Answers, bestAnswers, compiled } from '../helpers/scoring.ts'

const { cq, hash } = compiled('employer')
const META: WorkbookMeta = { assessmentId: 42, questionnaireId: 'employer', revision: 3, contentHash: hash }
const ANSWER = 'D'

function prefilled(answers: Answers, comments: Record<string, string> = {}) {
  const map = new Map<string, { value: AnswerValue; comment?: string | null }>()
  for (const [qid, value] of Object.entries(answers)) map.set(qid, { value, comment: comments[qid] ?? null })
  return map
}

async function exported(answers: Answers = {}, comments: Record<string, string> = {}, meta = META): Promise<Buffer> {
  const wb = buildQuestionnaireWorkbook(meta, cq, prefilled(answers, comments))
  return Buffer.from(await wb.xlsx.writeBuffer())
}

async function load(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(buf as unknown as ArrayBuffer)
  return wb
}

function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name)
  if (!ws) throw new Error(`no sheet ${name}`)
  return ws
}

function rowOf(ws: ExcelJS.Worksheet, qid: string): number {
  for (let r = 1; r <= ws.rowCount; r++) if (ws.getCell(r, 2).value === qid) return r
  throw new Error(`no row for ${qid}`)
}

/** Opens the workbook as a person would in Excel, changes it, and saves it again. */
async function edited(
  buf: Buffer,
  change: (ws: ExcelJS.Worksheet, row: (qid: string) => number, wb: ExcelJS.Workbook) => void,
): Promise<Buffer> {
  const wb = await load(buf)
  const ws = sheet(wb, 'Answers')
  change(ws, (qid) => rowOf(ws, qid), wb)
  return Buffer.from(await wb.xlsx.writeBuffer())
}

const label = (qid: string, choice: string) => {
  const c = cq.byId.get(qid)?.choiceById.get(choice)
  if (!c) throw new Error(`no choice ${qid}:${choice}`)
  return typeof c.label === 'string' ? c.label : (c.label.en as string)
}

const best = bestAnswers(cq)

describe('questionnaire workbook: export', () => {
  it('has instructions, one row per question with drop-downs, and hidden lists and metadata', async () => {
    const wb = await load(await exported())
    expect(wb.worksheets.map((w) => [w.name, w.state])).toEqual([
      ['Instructions', 'visible'],
      ['Answers', 'visible'],
      ['Lists', 'hidden'],
      ['Meta', 'veryHidden'],
    ])
    const instructions = sheet(wb, 'Instructions')
      .getColumn(1)
      .values.filter((v) => typeof v === 'string')
      .join('\n')
    expect(instructions).toMatch(/"Don't know" is always allowed/)
    expect(instructions).toMatch(/never establishes that forced labour exists/)
    expect(instructions).toMatch(/separated by a semicolon/)

    const ws = sheet(wb, 'Answers')
    expect(ws.getRow(1).values).toEqual([
      undefined,
      'Section',
      'ID',
      'Question',
      'Answer',
      'Comment (optional)',
      'How to answer',
      'Help',
      'Key (do not change)',
    ])
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
    expect(ws.getColumn(8).hidden).toBe(true)
    const ids = []
    for (let r = 2; r <= ws.rowCount; r++) {
      const id = ws.getCell(r, 2).value
      if (typeof id === 'string') ids.push(id)
    }
    expect(ids).toEqual(cq.entries.map((e) => e.question.id))
    expect(ws.getCell('A2').value).toBe('A0 Site profile (about the site: not scored)')
    expect(ws.getCell(rowOf(ws, 'A1.1'), 8).value).toBe(rowKey(hash, 'A1.1'))

    const meta = sheet(wb, 'Meta')
    expect(meta.getCell('A2').value).toBe('assessment_id')
    expect(meta.getCell('B2').value).toBe(42)
  })

  it('offers the allowed answers as drop-downs from the Lists sheet, and validates numbers', async () => {
    const wb = await load(await exported())
    const ws = sheet(wb, 'Answers')
    const lists = sheet(wb, 'Lists')
    const listOf = (qid: string) => {
      const v = ws.getCell(`${ANSWER}${rowOf(ws, qid)}`).dataValidation
      expect(v.type).toBe('list')
      const m = /^Lists!\$([A-Z]+)\$2:\$\1\$(\d+)$/.exec(String(v.formulae[0]))
      if (!m) throw new Error(`unexpected list formula ${v.formulae[0]}`)
      const values = []
      for (let r = 2; r <= Number(m[2]); r++) values.push(lists.getCell(`${m[1]}${r}`).value)
      return { values, validation: v }
    }
    const scaleQuestion = cq.entries.find((e) => e.question.type === 'scale' && !e.question.allow_na)
    expect(listOf(scaleQuestion?.question.id as string).values).toEqual(['Yes', 'Partly', 'No', "Don't know"])
    expect(listOf('A0.2').values).toContain('Fishing, seafood processing or aquaculture')
    expect(listOf('A0.2').validation.errorStyle).toBe('stop')
    expect(listOf('A0.1').values).toContain('Thailand')
    // Several answers must stay typeable in a multi-choice cell.
    expect(listOf('A0.5').validation.errorStyle).toBe('information')
    expect(ws.getCell(`F${rowOf(ws, 'A0.5')}`).value).toMatch(/separated by ";"/)

    const workers = ws.getCell(`${ANSWER}${rowOf(ws, 'A0.3')}`).dataValidation
    expect(workers).toMatchObject({ type: 'whole', operator: 'between', formulae: [1, 1e12] })
    expect(ws.getCell(`${ANSWER}${rowOf(ws, 'A9.9')}`).dataValidation).toMatchObject({
      type: 'whole',
      formulae: [0, 1_000_000],
    })
  })

  it('marks conditional questions and sections in plain words', async () => {
    const ws = sheet(await load(await exported()), 'Answers')
    expect(ws.getCell(`F${rowOf(ws, 'A0.8b')}`).value).toMatch(/^Answer only if the answer to A0.8 is "Yes"\./)
    expect(ws.getCell(`F${rowOf(ws, 'A0.6')}`).value).toMatch(
      /^Answer only if the answers to A0\.5 include "A recruitment agency in the country where the site is", .+ or "A labour provider/,
    )
    expect(ws.getCell(`F${rowOf(ws, 'A6.9')}`).value).toMatch(
      /^Answer only if the answer to A0\.7 is "Yes, for some or all migrant workers" or "Don't know"\./,
    )
    const a8 = cq.def.sections.find((s) => s.id === 'A8')
    const header = rowOf(ws, cq.entries.find((e) => e.section === a8)?.question.id as string) - 1
    expect(ws.getCell(`F${header}`).value).toBe('Answer this section only if the answer to A0.8 is "Yes".')
  })

  it('shows pre-filled answers as labels, numbers as numbers and comments beside them', async () => {
    const ws = sheet(await load(await exported(best, { 'A1.3': 'Policy signed in 2025' })), 'Answers')
    const cell = (qid: string) => ws.getCell(`${ANSWER}${rowOf(ws, qid)}`).value
    expect(cell('A0.1')).toBe('Thailand')
    expect(cell('A0.2')).toBe('Fishing, seafood processing or aquaculture')
    expect(cell('A0.3')).toBe(400)
    expect(cell('A0.5')).toBe(label('A0.5', 'origin_agency'))
    expect(cell('A1.1')).toBe(label('A1.1', best['A1.1'] as string))
    expect(cell('A1.3')).toBe('Yes')
    expect(ws.getCell(`E${rowOf(ws, 'A1.3')}`).value).toBe('Policy signed in 2025')
  })
})

describe('questionnaire workbook: import', () => {
  it('leaves the Answer cell of a question with only a comment empty, so the untouched file reads back', async () => {
    // Saved answers with a comment and no answer come from the store with a null value.
    const answers = new Map<string, PrefilledAnswer>([
      ['A1.4', { value: null, comment: 'Training planned' }],
      ['A0.1b', { value: null, comment: 'Two sites' }],
      ['A0.3', { value: null, comment: 'Seasonal' }],
    ])
    const buf = Buffer.from(await buildQuestionnaireWorkbook(META, cq, answers).xlsx.writeBuffer())
    const ws = sheet(await load(buf), 'Answers')
    for (const qid of ['A1.4', 'A0.1b', 'A0.3']) expect(ws.getCell(`${ANSWER}${rowOf(ws, qid)}`).value).toBeNull()
    const parsed = await parseQuestionnaireWorkbook(buf, META, cq)
    expect(parsed.errors).toEqual([])
    expect(parsed.answers).toMatchObject({ 'A1.4': null, 'A0.1b': null, 'A0.3': null })
    expect(parsed.comments).toMatchObject({ 'A1.4': 'Training planned', 'A0.1b': 'Two sites', 'A0.3': 'Seasonal' })
  })

  it('reads back the answers of an untouched pre-filled workbook', async () => {
    const parsed = await parseQuestionnaireWorkbook(await exported(best), META, cq)
    expect(parsed.errors).toEqual([])
    for (const e of cq.entries) expect(parsed.answers[e.question.id] ?? null).toEqual(best[e.question.id] ?? null)
  })

  it('returns the answers changed in Excel, labels mapped back to choice ids', async () => {
    const buf = await edited(await exported(best, { 'A1.3': 'old comment' }), (ws, row) => {
      ws.getCell(`${ANSWER}${row('A1.3')}`).value = 'Partly'
      ws.getCell(`${ANSWER}${row('A1.1')}`).value = label('A1.1', 'draft')
      ws.getCell(`${ANSWER}${row('A0.1')}`).value = 'Malaysia'
      ws.getCell(`${ANSWER}${row('A0.3')}`).value = 520
      // A number typed into a cell Excel treats as text.
      ws.getCell(`${ANSWER}${row('A0.3b')}`).value = ' 200 '
      ws.getCell(`${ANSWER}${row('A0.5')}`).value =
        `${label('A0.5', 'direct')};  ${label('A0.5', 'labour_provider').toUpperCase()}`
      // What people type differs from the list in case and apostrophes.
      ws.getCell(`${ANSWER}${row('A1.4')}`).value = 'don\u2019t KNOW'
      ws.getCell(`${ANSWER}${row('A0.8b')}`).value = null
      ws.getCell(`E${row('A1.3')}`).value = 'We revised the policy'
      ws.getCell(`${ANSWER}${row('A0.1b')}`).value = 'Samut Sakhon, Mueang district'
    })
    const parsed = await parseQuestionnaireWorkbook(buf, META, cq)
    expect(parsed.errors).toEqual([])
    expect(parsed.answers).toMatchObject({
      'A1.3': 'partly',
      'A1.1': 'draft',
      'A0.1': 'MY',
      'A0.3': 520,
      'A0.3b': 200,
      'A0.5': ['direct', 'labour_provider'],
      'A1.4': 'dont_know',
      'A0.8b': null,
      'A0.1b': 'Samut Sakhon, Mueang district',
    })
    expect(parsed.comments['A1.3']).toBe('We revised the policy')
    expect(parsed.comments['A1.2']).toBe('')
    // The result is exactly what the API accepts.
    expect(checkAnswers(cq, parsed.answers).problems).toEqual([])
  })

  it('finds rows by their hidden key, so sorting the sheet is harmless', async () => {
    const buf = await edited(await exported(best), (ws, row) => {
      const a = ws.getRow(row('A1.3'))
      const b = ws.getRow(row('A1.5'))
      const av = a.values
      a.values = b.values
      b.values = av
      ws.getCell(`${ANSWER}${row('A1.5')}`).value = 'No'
    })
    const parsed = await parseQuestionnaireWorkbook(buf, META, cq)
    expect(parsed.errors).toEqual([])
    expect(parsed.answers['A1.3']).toBe(best['A1.3'])
    expect(parsed.answers['A1.5']).toBe('no')
  })

  it('refuses the whole file for one bad row and names its cell', async () => {
    let cell = ''
    const buf = await edited(await exported(best), (ws, row) => {
      ws.getCell(`${ANSWER}${row('A1.4')}`).value = 'Partly'
      cell = `${ANSWER}${row('A1.3')}`
      ws.getCell(cell).value = 'Maybe'
    })
    const parsed = await parseQuestionnaireWorkbook(buf, META, cq)
    expect(parsed.answers).toEqual({})
    expect(parsed.comments).toEqual({})
    expect(parsed.errors).toEqual([
      {
        sheet: 'Answers',
        cell,
        reason: expect.stringMatching(/^A1\.3: "Maybe" is not one of the answers in the list \("Yes", "Partly"/),
      },
    ])
  })

  it('reports every problem at once: wrong type, out of range, unknown choice, combinations, formulas', async () => {
    const cells: Record<string, string> = {}
    const buf = await edited(await exported(best), (ws, row) => {
      const set = (qid: string, value: ExcelJS.CellValue) => {
        cells[qid] = `${ANSWER}${row(qid)}`
        ws.getCell(cells[qid]).value = value
      }
      set('A0.3', 0)
      set('A0.3b', 'about forty')
      set('A0.6', 2.5)
      set('A0.5', `${label('A0.5', 'direct')}; Cousins`)
      set('A2.3', `${label('A2.3', 'none')}; ${label('A2.3', 'no_worker_fees')}`)
      set('A1.3', { formula: 'A1', result: 'Yes' })
      set('A1.4', `Yes; No`)
      set('A0.1', 'Atlantis')
    })
    const { errors, answers } = await parseQuestionnaireWorkbook(buf, META, cq)
    expect(answers).toEqual({})
    const byCell = new Map(errors.map((e) => [e.cell, e.reason]))
    expect(byCell.get(cells['A0.3'] as string)).toBe('A0.3: Enter a whole number of 1 or more.')
    expect(byCell.get(cells['A0.3b'] as string)).toMatch(/^A0\.3b: /)
    expect(byCell.get(cells['A0.6'] as string)).toMatch(/^A0\.6: .*whole number/i)
    expect(byCell.get(cells['A0.5'] as string)).toMatch(/"Cousins" is not an answer in the list/)
    expect(byCell.get(cells['A2.3'] as string)).toMatch(/cannot be combined with other choices/)
    expect(byCell.get(cells['A1.3'] as string)).toMatch(/formula/)
    expect(byCell.get(cells['A1.4'] as string)).toMatch(/only one answer is allowed/)
    expect(byCell.get(cells['A0.1'] as string)).toMatch(/"Atlantis" is not a country in the list/)
    expect(errors.every((e) => e.sheet === 'Answers')).toBe(true)
    expect(errors).toHaveLength(8)
    // Sorted top to bottom, so a person can work down the sheet.
    const rows = errors.map((e) => Number(e.cell.slice(1)))
    expect(rows).toEqual([...rows].sort((a, b) => a - b))
  })

  it('catches an edited question id', async () => {
    let cell = ''
    const buf = await edited(await exported(best), (ws, row) => {
      cell = `B${row('A1.2')}`
      ws.getCell(cell).value = 'A1.99'
    })
    const { errors, answers } = await parseQuestionnaireWorkbook(buf, META, cq)
    expect(answers).toEqual({})
    expect(errors).toEqual([
      { sheet: 'Answers', cell, reason: 'the ID of question A1.2 was changed to "A1.99"; put back "A1.2"' },
    ])
  })

  it('catches rows from another questionnaire version, deleted rows and answers typed outside a question row', async () => {
    let copied = ''
    let deleted = ''
    let stray = ''
    const buf = await edited(await exported(best), (ws, row) => {
      copied = `B${row('A1.3')}`
      ws.getCell(`H${row('A1.3')}`).value = rowKey('another-version-hash', 'A1.3')
      const gone = row('A1.4')
      deleted = `B${gone}`
      ws.getCell(`B${gone}`).value = null
      ws.getCell(`H${gone}`).value = null
      ws.getCell(`${ANSWER}${gone}`).value = null
      stray = `${ANSWER}${row('A1.1') - 1}`
      ws.getCell(stray).value = 'Yes'
    })
    const { errors } = await parseQuestionnaireWorkbook(buf, META, cq)
    expect(errors.map((e) => e.cell)).toEqual([stray, copied, deleted])
    expect(errors[0]?.reason).toMatch(/this row has no question ID/)
    expect(errors[1]?.reason).toMatch(/does not belong to this workbook/)
    expect(errors[2]?.reason).toMatch(/row of question A1\.4 is missing/)
  })

  it('refuses a workbook of another assessment', async () => {
    const { errors, answers } = await parseQuestionnaireWorkbook(
      await exported(best),
      { ...META, assessmentId: 43 },
      cq,
    )
    expect(answers).toEqual({})
    expect(errors).toEqual([
      {
        sheet: 'Meta',
        cell: 'B2',
        reason: expect.stringMatching(/^This workbook belongs to assessment 42, not to assessment 43\./),
      },
    ])
  })

  it('refuses a workbook made for another revision of the questionnaire', async () => {
    const { errors } = await parseQuestionnaireWorkbook(
      await exported(best),
      { ...META, revision: 4, contentHash: 'f'.repeat(64) },
      cq,
    )
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({ sheet: 'Meta', cell: 'B5' })
    expect(errors[0]?.reason).toMatch(/made for revision 3 .* now uses revision 4/)
    const otherQuestionnaire = await parseQuestionnaireWorkbook(
      await exported(best),
      { ...META, questionnaireId: 'recruiter' },
      cq,
    )
    expect(otherQuestionnaire.errors[0]?.reason).toMatch(/is for the "employer" questionnaire/)
  })

  it('detects edited metadata through the checksum', async () => {
    const buf = await edited(await exported(best), (_ws, _row, wb) => {
      sheet(wb, 'Meta').getCell('B2').value = 43
    })
    const { errors } = await parseQuestionnaireWorkbook(buf, { ...META, assessmentId: 43 }, cq)
    expect(errors).toEqual([
      { sheet: 'Meta', cell: 'B7', reason: expect.stringMatching(/hidden metadata of this workbook was changed/) },
    ])
    const noMeta = await edited(await exported(best), (_ws, _row, wb) => {
      wb.removeWorksheet(sheet(wb, 'Meta').id)
    })
    const missing = await parseQuestionnaireWorkbook(noMeta, META, cq)
    expect(missing.errors[0]).toMatchObject({ sheet: 'Meta', cell: 'A1' })
  })

  it('refuses a workbook whose columns were moved', async () => {
    const buf = await edited(await exported(best), (ws) => {
      ws.spliceColumns(3, 0, [])
    })
    const { errors } = await parseQuestionnaireWorkbook(buf, META, cq)
    expect(errors.length).toBeGreaterThan(0)
    expect(errors[0]?.reason).toMatch(/columns must not be inserted, deleted or moved/)
  })
})

describe('questionnaire workbook: dates and conditions', () => {
  const rec = compiled('recruiter')
  const meta: WorkbookMeta = { assessmentId: 7, questionnaireId: 'recruiter', revision: 1, contentHash: rec.hash }

  it('writes dates as date cells and reads typed dates back as ISO dates', async () => {
    const wb = buildQuestionnaireWorkbook(meta, rec.cq, new Map([['B0.5', { value: '2027-03-31' }]]))
    const buf = Buffer.from(await wb.xlsx.writeBuffer())
    const ws = sheet(await load(buf), 'Answers')
    const cell = ws.getCell(`${ANSWER}${rowOf(ws, 'B0.5')}`)
    expect(cell.value).toEqual(new Date('2027-03-31T00:00:00Z'))
    expect(cell.numFmt).toBe('yyyy-mm-dd')
    expect(cell.dataValidation).toMatchObject({ type: 'date' })

    const changed = await edited(buf, (sheet, row) => {
      sheet.getCell(`${ANSWER}${row('B0.5')}`).value = new Date(Date.UTC(2028, 0, 15))
    })
    const parsed = await parseQuestionnaireWorkbook(changed, meta, rec.cq)
    expect(parsed.errors).toEqual([])
    expect(parsed.answers['B0.5']).toBe('2028-01-15')

    const typed = await edited(buf, (sheet, row) => {
      sheet.getCell(`${ANSWER}${row('B0.5')}`).value = '31/12/2027'
    })
    const bad = await parseQuestionnaireWorkbook(typed, meta, rec.cq)
    expect(bad.errors.map((e) => e.reason)).toEqual(['B0.5: expected a date written YYYY-MM-DD'])
  })

  it('reads cells as the action plan import does: a linked formatted text is its text, a date out of range a problem', async () => {
    const buf = await exported()
    const changed = await edited(buf, (ws, row) => {
      ws.getCell(`${ANSWER}${row('A1.3')}`).value = {
        text: { richText: [{ text: label('A1.3', 'yes') }] },
        hyperlink: 'https://example.com',
      } as unknown as ExcelJS.CellValue
    })
    const parsed = await parseQuestionnaireWorkbook(changed, META, cq)
    expect(parsed.errors).toEqual([])
    expect(parsed.answers['A1.3']).toBe('yes')

    // A number far beyond any date, in a date-formatted cell: exceljs reads it as an invalid Date.
    const far = await edited(buf, (ws, row) => {
      const cell = ws.getCell(`${ANSWER}${row('A1.2')}`)
      cell.value = 1e20
      cell.numFmt = 'yyyy-mm-dd'
    })
    const bad = await parseQuestionnaireWorkbook(far, META, cq)
    expect(bad.errors.map((e) => e.reason)).toEqual(['A1.2: the date is not valid'])
  })

  it('words conditions a person can check', () => {
    expect(describeCondition(cq, "A0.3 >= 10 and not selected(A0.5, 'direct')")).toBe(
      `the answer to A0.3 is at least 10 and the answers to A0.5 do not include "Direct hiring: our own staff found and hired the workers, with no…"`,
    )
    expect(describeCondition(cq, "(A0.8 = 'yes' or 10 < A0.3) and answered(A0.6)")).toBe(
      '(the answer to A0.8 is "Yes" or the answer to A0.3 is more than 10) and A0.6 is answered',
    )
    expect(describeCondition(cq, "A0.7 != 'no'")).toMatch(/^the answer to A0\.7 is not "No, workers can change/)
  })
})

describe('questionnaire workbook: text is never a formula', () => {
  const risky = [
    '=HYPERLINK("http://example.test","click")',
    '+66 2 123 4567',
    '-5 workers',
    '@SUM(A1:A2)',
    '\tindented',
  ]

  it('writes formula-like answers and comments as text and reads them back unchanged', async () => {
    // The last ones start with the quote the export adds: it must not be taken off them on the way back.
    for (const text of [...risky, "'=1+1", "''@x", "'hello"]) {
      const buf = await exported({ ...best, 'A0.1b': text }, { 'A1.1': text })
      const ws = sheet(await load(buf), 'Answers')
      const answer = ws.getCell(`${ANSWER}${rowOf(ws, 'A0.1b')}`)
      expect(answer.type).toBe(ExcelJS.ValueType.String)
      expect(answer.value).toBe(text === "'hello" ? text : `'${text}`)
      expect(ws.getCell(`E${rowOf(ws, 'A1.1')}`).type).toBe(ExcelJS.ValueType.String)
      const parsed = await parseQuestionnaireWorkbook(buf, META, cq)
      expect(parsed.errors).toEqual([])
      expect(parsed.answers['A0.1b']).toBe(text)
      expect(parsed.comments['A1.1']).toBe(text)
    }
  })
})

// ---------------------------------------------------------------------------------------------------
// Upload limits

type ZipEntry = { name: string; data?: Buffer; declaredSize?: number; zip64Size?: bigint }

/** A minimal zip writer, so that tests can make archives no sane tool would. */
function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const e of entries) {
    const name = Buffer.from(e.name)
    const data = e.data ?? Buffer.alloc(0)
    const packed = deflateRawSync(data)
    const size = e.zip64Size !== undefined ? 0xffffffff : (e.declaredSize ?? data.length)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(8, 8)
    local.writeUInt32LE(packed.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    const extra = Buffer.alloc(e.zip64Size !== undefined ? 12 : 0)
    if (e.zip64Size !== undefined) {
      extra.writeUInt16LE(1, 0)
      extra.writeUInt16LE(8, 2)
      extra.writeBigUInt64LE(e.zip64Size, 4)
    }
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(8, 10)
    central.writeUInt32LE(packed.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt16LE(extra.length, 30)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, packed)
    centrals.push(central, name, extra)
    offset += local.length + name.length + packed.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

const XLSX_PARTS: ZipEntry[] = [
  { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
  { name: 'xl/workbook.xml', data: Buffer.from('<workbook/>') },
]

function rejection(fn: () => unknown): UploadRejected {
  try {
    fn()
  } catch (err) {
    if (err instanceof UploadRejected) return err
    throw err
  }
  throw new Error('expected the upload to be rejected')
}

describe('upload limits', () => {
  it('accepts a real workbook and reports its size', async () => {
    const info = checkXlsxUpload(await exported(best))
    expect(info.entries).toBeGreaterThan(5)
    expect(info.uncompressedBytes).toBeGreaterThan(10_000)
  })

  it('refuses a zip bomb from its central directory, before exceljs parses it', async () => {
    // 60 MB of zeros deflates to about 60 KB: a small upload that would unpack to far more.
    const bomb = zip([...XLSX_PARTS, { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(60 * 1024 * 1024) }])
    expect(bomb.length).toBeLessThan(200_000)
    const err = rejection(() => checkXlsxUpload(bomb))
    expect(err.reason).toBe('too_much_data')
    expect(err.message).toMatch(/would unpack to more than 20 MB/)
    await expect(parseQuestionnaireWorkbook(bomb, META, cq)).rejects.toMatchObject({
      name: 'UploadRejected',
      reason: 'too_much_data',
    })
    // Declared sizes are all the check reads: a huge zip64 declaration is caught without any data.
    const declared = zip([...XLSX_PARTS, { name: 'xl/worksheets/sheet1.xml', zip64Size: 8n * 1024n ** 3n }])
    expect(rejection(() => checkXlsxUpload(declared)).reason).toBe('too_much_data')
  })

  it('refuses oversized files, archives with too many entries, and files that are not workbooks', () => {
    const big = rejection(() => checkXlsxUpload(Buffer.alloc(6 * 1024 * 1024)))
    expect(big.reason).toBe('too_large')
    expect(big.message).toBe('The file is 6 MB; the largest file accepted is 5 MB.')

    const many = zip([...XLSX_PARTS, ...Array.from({ length: 2_000 }, (_, i) => ({ name: `x/${i}.xml` }))])
    expect(rejection(() => checkXlsxUpload(many)).reason).toBe('too_many_entries')

    const csv = rejection(() => checkXlsxUpload(Buffer.from('question,answer\nA1.1,Yes\n')))
    expect(csv.reason).toBe('not_xlsx')
    expect(csv.message).toMatch(/not an Excel workbook \(\.xlsx\)/)
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(4096)])
    expect(rejection(() => checkXlsxUpload(xls)).message).toMatch(/old-style Excel file \(\.xls\)/)
    const otherZip = zip([{ name: 'word/document.xml', data: Buffer.from('<w/>') }])
    expect(rejection(() => checkXlsxUpload(otherZip)).message).toMatch(/zip archive, but not a spreadsheet/)
  })

  it('refuses a truncated workbook and honours custom limits', async () => {
    const buf = await exported(best)
    const cut = Buffer.concat([buf.subarray(0, buf.length - 200), buf.subarray(buf.length - 22)])
    expect(rejection(() => checkXlsxUpload(cut)).reason).toBe('damaged')
    const limits = { maxBytes: 1024, maxEntries: 10, maxUncompressedBytes: 1024 }
    expect(rejection(() => checkXlsxUpload(buf, limits)).reason).toBe('too_large')
    expect(rejection(() => checkXlsxUpload(buf, { ...limits, maxBytes: 10 ** 7 })).reason).toBe('too_many_entries')
  })
})

describe('questionnaire workbook in LibreOffice', () => {
  it.skipIf(OFFICE === null)(
    'converts to PDF without complaint',
    async () => {
      const res = convertToPdf(await exported(best), 'questionnaire')
      expect(res.status, res.stderr).toBe(0)
      expect(res.pdf).toBe(true)
    },
    120_000,
  )
})
