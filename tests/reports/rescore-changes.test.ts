import { PassThrough } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { type RescoreChangeRow, type ScoreSide, writeRescoreChanges } from '../../src/reports/rescore-changes/build.ts'
import { explainMove, type RatingExplanation, ratingOf } from '../../src/reports/rescore-changes/rule.ts'
import { convertToPdf, OFFICE } from '../helpers/office.ts'

/**
 * The "what changed" workbook's pure parts: the rule that moved a rating, read from two rating explanations, and
 * the writer (cells safe against formula injection, the sheets and their counts).
 */

const explanation = (
  matrix: [RatingExplanation['matrix']['inherentBand'], RatingExplanation['matrix']['controlBand'], string],
  floors: [string, string][] = [],
): RatingExplanation =>
  ({
    matrix: { inherentBand: matrix[0], controlBand: matrix[1], rating: matrix[2] },
    floors: floors.map(([rating, reason]) => ({ rating, reason })),
  }) as RatingExplanation

describe('the rule that moved a rating', () => {
  it('names a new floor that now gives the worse rating, and the rest apart', () => {
    const before = explanation(['medium', 'adequate', 'medium'])
    const after = explanation(
      ['medium', 'adequate', 'medium'],
      [['high', '3 unverified critical claims: at most medium']],
    )
    expect(ratingOf(after)).toBe('high')
    expect(explainMove(before, after)).toEqual({
      rule: 'new floor: 3 unverified critical claims: at most medium',
      other: '',
    })
  })

  it('names the matrix, with what it was', () => {
    const before = explanation(['medium', 'adequate', 'medium'])
    const after = explanation(['high', 'adequate', 'high'])
    expect(explainMove(before, after)).toEqual({
      rule: 'matrix: inherent high × control adequate → high (was medium × adequate → medium)',
      other: '',
    })
  })

  it('recognises a floor whose rating or count changed as the same floor', () => {
    const families = explainMove(
      explanation(
        ['low', 'strong', 'low'],
        [['high', 'red flags in 2 indicator families (Deception, Isolation): high']],
      ),
      explanation(
        ['low', 'strong', 'low'],
        [['critical', 'red flags in 3 indicator families (Deception, Isolation, Threats): critical']],
      ),
    )
    expect(families.rule).toBe(
      'floor changed: red flags in 3 indicator families (Deception, Isolation, Threats): critical (was red flags in 2 indicator families (Deception, Isolation): high)',
    )
    // Two questions that escalate are two floors, never one.
    const two = explainMove(
      explanation(['low', 'strong', 'low'], [['critical', 'A8.5 "No" (Movement) escalates alone: critical']]),
      explanation(
        ['low', 'strong', 'low'],
        [
          ['critical', 'A8.5 "No" (Movement) escalates alone: critical'],
          ['critical', 'A9.1 "No" (Threats) escalates alone: critical'],
        ],
      ),
    )
    expect(two).toEqual({ rule: '', other: 'new floor: A9.1 "No" (Threats) escalates alone: critical' })
    const before = explanation(['high', 'adequate', 'high'], [['high', '1 red flag: at least high']])
    const after = explanation(['high', 'adequate', 'medium'], [['critical', '1 red flag: at least critical']])
    expect(explainMove(before, after)).toEqual({
      rule: 'floor changed: 1 red flag: at least critical (was 1 red flag: at least high)',
      other: 'matrix: inherent high × control adequate → medium (was high × adequate → high)',
    })
  })

  it('for a better rating, names what no longer gives the old one and what gives the new one', () => {
    const before = explanation(
      ['low', 'strong', 'low'],
      [['high', '2 suspected red flag(s) raised by a reviewer: at least high until verified']],
    )
    const after = explanation(['low', 'very_weak', 'medium'])
    expect(explainMove(before, after)).toEqual({
      rule: 'floor gone: 2 suspected red flag(s) raised by a reviewer: at least high until verified; now set by the matrix: inherent low × control very weak → medium',
      other: 'matrix: inherent low × control very weak → medium (was low × strong → low)',
    })
    // A lowered floor that still gives the new rating says so itself.
    const lowered = explainMove(
      explanation(['low', 'strong', 'low'], [['critical', 'A9.10 "Yes" (Threats) escalates alone: critical']]),
      explanation(['low', 'strong', 'low'], [['high', 'A9.10 "Yes" (Threats) escalates alone: high']]),
    )
    expect(lowered.rule).toBe(
      'floor changed: A9.10 "Yes" (Threats) escalates alone: high (was A9.10 "Yes" (Threats) escalates alone: critical)',
    )
  })

  it('lists every difference as "other" when the rating did not move', () => {
    const before = explanation(['high', 'weak', 'high'], [['high', '1 red flag: at least high']])
    const after = explanation(['high', 'adequate', 'high'], [['high', '2 red flags: at least high']])
    expect(explainMove(before, after)).toEqual({
      rule: '',
      other:
        'matrix: inherent high × control adequate → high (was high × weak → high); floor changed: 2 red flags: at least high (was 1 red flag: at least high)',
    })
    const same = explainMove(before, explanation(['high', 'weak', 'high'], [['high', '1 red flag: at least high']]))
    expect(same).toEqual({ rule: '', other: '' })
  })
})

function side(o: Partial<ScoreSide> & Pick<ScoreSide, 'rating' | 'explanation'>): ScoreSide {
  return { snapshotId: 1, rubric: 'default@1', control: 70, inherent: 6.5, redFlags: 0, ...o }
}

async function* rowsOf(rows: RescoreChangeRow[]): AsyncGenerator<RescoreChangeRow> {
  for (const r of rows) yield r
}

const ATTACK = '=HYPERLINK("http://evil.example","click")'

/** One worse and one better row, and two unchanged scores. */
async function sample(): Promise<Buffer> {
  const out = new PassThrough()
  const data = buffer(out)
  await writeRescoreChanges(out, {
    job: { id: 7, rubric: 'default@2', finishedAt: null, checked: 3, rescored: 4, superseded: false },
    moves: [
      { before: 'medium', after: 'high', count: 1 },
      { before: 'critical', after: 'high', count: 1 },
      { before: 'low', after: 'low', count: 2 },
    ],
    rows: rowsOf([
      {
        organisation: ATTACK,
        questionnaire: 'employer 2026.1',
        assessmentId: 12,
        reviewer: '@Brand',
        before: side({ rating: 'medium', explanation: explanation(['medium', 'adequate', 'medium']) }),
        after: side({
          snapshotId: 9,
          rubric: 'default@2',
          rating: 'high',
          redFlags: 1,
          explanation: explanation(['medium', 'adequate', 'medium'], [['high', '+1 red flag: at least high']]),
        }),
      },
      {
        organisation: 'Penang Circuits',
        questionnaire: 'employer 2026.1',
        assessmentId: 13,
        reviewer: null,
        before: side({
          rating: 'critical',
          explanation: explanation(
            ['high', 'weak', 'high'],
            [['critical', 'A8.5 "No" (Movement) escalates alone: critical']],
          ),
        }),
        after: side({
          snapshotId: 10,
          rubric: 'default@2',
          rating: 'high',
          explanation: explanation(['high', 'weak', 'high']),
        }),
      },
    ]),
    generatedAt: new Date('2026-12-10T10:00:00Z'),
  })
  return data
}

describe('the what-changed workbook', () => {
  it('writes the moved ratings as text no spreadsheet runs, with counts and what did not move', async () => {
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load((await sample()) as unknown as ArrayBuffer)
    expect(wb.worksheets.map((s) => s.name)).toEqual(['Changed ratings', 'Counts', 'Unchanged'])
    const ws = wb.getWorksheet('Changed ratings') as ExcelJS.Worksheet
    expect(ws.getCell('A1').value).toBe('Ratings moved by rubric default@2')
    const row = ws.getRow(4)
    // Text that would start a formula is written as text, with the guard quote in front.
    expect(row.getCell(1).value).toBe(`'${ATTACK}`)
    expect(row.getCell(1).formula).toBeUndefined()
    expect(row.getCell(4).value).toBe("'@Brand")
    expect(row.getCell(5).value).toBe('Worse')
    expect([row.getCell(6).value, row.getCell(7).value]).toEqual(['Medium', 'High'])
    expect(row.getCell(8).value).toBe('new floor: +1 red flag: at least high')
    expect([row.getCell(13).value, row.getCell(14).value]).toEqual([0, 1])
    const better = ws.getRow(5)
    expect([better.getCell(4).value, better.getCell(5).value, better.getCell(8).value]).toEqual([
      'Self-assessed',
      'Better',
      'floor gone: A8.5 "No" (Movement) escalates alone: critical; now set by the matrix: inherent high × control weak → high',
    ])
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 })
    const counts = wb.getWorksheet('Counts') as ExcelJS.Worksheet
    expect((counts.getRow(4).values as unknown[]).slice(1)).toEqual(['Medium', 'High', 'Worse', 1])
    expect((counts.getRow(5).values as unknown[]).slice(1)).toEqual(['Critical', 'High', 'Better', 1])
    const unchanged = wb.getWorksheet('Unchanged') as ExcelJS.Worksheet
    expect((unchanged.getRow(4).values as unknown[]).slice(1)).toEqual(['Low', 2])
    expect(String(unchanged.getCell('A2').value)).toContain(
      '3 assessment(s) with locked answers were checked; 4 score(s)',
    )
  })

  it.skipIf(OFFICE === null)(
    'converts to PDF in LibreOffice without complaint',
    async () => {
      const res = convertToPdf(await sample(), 'rescore-changes')
      expect(res.status, res.stderr).toBe(0)
      expect(res.pdf).toBe(true)
    },
    120_000,
  )
})
