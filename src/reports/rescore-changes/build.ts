import type { Stream } from 'node:stream'
import ExcelJS from 'exceljs'
import { RATINGS, type Rating } from '../../scoring/rubric.schema.ts'
import { type Destination, pacer } from '../xlsx/pace.ts'
import { RATING_SWATCHES } from '../xlsx/style.ts'
import { StreamedTable, type TableColumn } from '../xlsx/table.ts'
import { explainMove, type RatingExplanation } from './rule.ts'

/**
 * The "what changed" workbook of a re-score (assessment/rescore.service.ts): every supplier assessment whose
 * rating a new rubric moved, with the rule that moved it, then counts per move and of what did not move. It lists
 * every tenant's suppliers, so only platform operators get it (access/operator.service.ts).
 *
 * A pure writer: its rows come in as an async iterable, already in order (worse first, by the severity of the
 * new rating, then by name), and go out through exceljs' streaming writer one at a time, so memory stays flat
 * however many there are.
 */

export type ScoreSide = {
  snapshotId: number
  /** The rubric version it was scored with, as id@revision. */
  rubric: string
  rating: Rating
  control: number | null
  inherent: number
  /** Red flags not cleared (scoring/open-red-flags.ts). */
  redFlags: number
  explanation: RatingExplanation
}

export type RescoreChangeRow = {
  organisation: string
  questionnaire: string
  assessmentId: number
  /** The brand whose reviewed score this is; null: the self-assessed score. */
  reviewer: string | null
  before: ScoreSide
  after: ScoreSide
}

export type RescoreChangesInput = {
  job: {
    id: number
    /** The rubric version the job re-scored with, as id@revision. */
    rubric: string
    finishedAt: string | null
    /** From the job's result, when it has one. */
    checked: number | null
    rescored: number | null
    superseded: boolean
  }
  /** How many re-scored series went from each rating to each other (the same rating included). */
  moves: { before: Rating; after: Rating; count: number }[]
  rows: AsyncIterable<RescoreChangeRow>
  generatedAt: Date
}

export const RESCORE_CHANGES_SHEETS = ['Changed ratings', 'Counts', 'Unchanged'] as const

const rank = (r: Rating) => RATINGS.indexOf(r)
const label = (r: Rating) => RATING_SWATCHES[r].label

/** A changed row with its rule worked out once. */
type Changed = RescoreChangeRow & { worse: boolean; rule: string; other: string }

const CHANGED_COLUMNS: TableColumn<Changed>[] = [
  { header: 'Organisation', width: 30, value: (r) => r.organisation, wrap: true },
  { header: 'Questionnaire', width: 16, value: (r) => r.questionnaire },
  { header: 'Assessment ID', width: 11, value: (r) => r.assessmentId, numFmt: '0' },
  { header: 'Reviewing brand', width: 22, value: (r) => r.reviewer ?? 'Self-assessed', wrap: true },
  { header: 'Change', width: 9, value: (r) => (r.worse ? 'Worse' : 'Better') },
  {
    header: 'Rating before',
    width: 10,
    value: (r) => label(r.before.rating),
    swatch: (r) => RATING_SWATCHES[r.before.rating],
  },
  {
    header: 'Rating after',
    width: 10,
    value: (r) => label(r.after.rating),
    swatch: (r) => RATING_SWATCHES[r.after.rating],
  },
  { header: 'What moved it', width: 60, value: (r) => r.rule, wrap: true },
  { header: 'Control score before', width: 10, value: (r) => r.before.control, numFmt: '0.0' },
  { header: 'Control score after', width: 10, value: (r) => r.after.control, numFmt: '0.0' },
  { header: 'Inherent risk score before', width: 10, value: (r) => r.before.inherent, numFmt: '0.0#' },
  { header: 'Inherent risk score after', width: 10, value: (r) => r.after.inherent, numFmt: '0.0#' },
  { header: 'Red flags before', width: 9, value: (r) => r.before.redFlags, numFmt: '0' },
  { header: 'Red flags after', width: 9, value: (r) => r.after.redFlags, numFmt: '0' },
  { header: 'Other changes to the rating rules', width: 45, value: (r) => r.other, wrap: true },
  { header: 'Rubric before', width: 12, value: (r) => r.before.rubric },
  { header: 'Rubric after', width: 12, value: (r) => r.after.rubric },
  { header: 'Snapshot before', width: 10, value: (r) => r.before.snapshotId, numFmt: '0' },
  { header: 'Snapshot after', width: 10, value: (r) => r.after.snapshotId, numFmt: '0' },
]

type Move = { before: Rating; after: Rating; count: number }

const COUNT_COLUMNS: TableColumn<Move>[] = [
  { header: 'Rating before', width: 12, value: (m) => label(m.before), swatch: (m) => RATING_SWATCHES[m.before] },
  { header: 'Rating after', width: 12, value: (m) => label(m.after), swatch: (m) => RATING_SWATCHES[m.after] },
  { header: 'Change', width: 10, value: (m) => (rank(m.after) > rank(m.before) ? 'Worse' : 'Better') },
  { header: 'Scores', width: 10, value: (m) => m.count, numFmt: '#,##0' },
]

type Unchanged = { rating: Rating | null; count: number }

const UNCHANGED_COLUMNS: TableColumn<Unchanged>[] = [
  {
    header: 'Rating (before and after)',
    width: 16,
    value: (u) => (u.rating ? label(u.rating) : 'All'),
    swatch: (u) => (u.rating ? RATING_SWATCHES[u.rating] : undefined),
  },
  { header: 'Scores', width: 10, value: (u) => u.count, numFmt: '#,##0' },
]

/** Writes the workbook into `out` and resolves once it is complete; on failure `out` is left to the caller. */
export async function writeRescoreChanges(out: Destination, input: RescoreChangesInput): Promise<void> {
  const { job } = input
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    // exceljs only pipes into the stream; its typings ask for more than a writable needs.
    stream: out as unknown as Stream,
    useStyles: true,
    useSharedStrings: false,
  })
  wb.creator = 'Fairhire'
  wb.title = `Re-score with rubric ${job.rubric}: what changed`
  wb.created = input.generatedAt
  wb.modified = input.generatedAt
  const pace = pacer(out)
  const footer = `Re-score ${job.id} with rubric ${job.rubric}: what changed (${input.generatedAt.toISOString().slice(0, 10)})`

  const moved = input.moves.filter((m) => m.before !== m.after)
  const movedTotal = moved.reduce((n, m) => n + m.count, 0)
  const worse = moved.filter((m) => rank(m.after) > rank(m.before)).reduce((n, m) => n + m.count, 0)
  const rescoredNote = job.superseded
    ? ' The job stopped early because a newer rubric version became current; that version re-scores the rest.'
    : ''

  const changed = new StreamedTable<Changed>(
    wb,
    RESCORE_CHANGES_SHEETS[0],
    {
      title: `Ratings moved by rubric ${job.rubric}`,
      intro:
        `${movedTotal} score(s) changed rating when re-scored (${worse} worse, ${movedTotal - worse} better), ` +
        'each compared with the score it replaced in the same series (the self-assessed score, or one brand’s ' +
        'reviewed score). Worse first, then by the severity of the new rating, then by organisation. "What moved ' +
        'it" names the rating rule that gives the new rating (when worse) or no longer gives the old one (when ' +
        'better): the matrix of inherent risk × control, or a red-flag floor.' +
        rescoredNote,
      columns: CHANGED_COLUMNS,
      empty: 'No rating changed: every re-scored score kept its rating (see Unchanged).',
      freezeColumns: 1,
      footer,
    },
    pace,
  )
  for await (const row of input.rows) {
    const move = explainMove(row.before.explanation, row.after.explanation)
    await changed.add({ ...row, worse: rank(row.after.rating) > rank(row.before.rating), ...move })
  }
  changed.close()

  const counts = new StreamedTable<Move>(
    wb,
    RESCORE_CHANGES_SHEETS[1],
    {
      title: 'Changes per rating',
      intro: `How many scores went from each rating to another: ${movedTotal} in all.`,
      columns: COUNT_COLUMNS,
      empty: 'No rating changed.',
      footer,
    },
    pace,
  )
  for (const m of [...moved].sort(
    (a, b) =>
      Number(rank(b.after) > rank(b.before)) - Number(rank(a.after) > rank(a.before)) ||
      rank(b.after) - rank(a.after) ||
      rank(a.before) - rank(b.before),
  ))
    await counts.add(m)
  counts.close()

  const same = RATINGS.map((r) => ({
    rating: r,
    count: input.moves.filter((m) => m.before === r && m.after === r).reduce((n, m) => n + m.count, 0),
  })).filter((u) => u.count > 0)
  const sameTotal = same.reduce((n, u) => n + u.count, 0)
  const checked =
    job.checked === null
      ? ''
      : ` ${job.checked} assessment(s) with locked answers were checked; ${job.rescored ?? movedTotal + sameTotal} score(s) were re-scored in all. Scores already on the rubric, drafts, assessments returned for changes and the reviews of brands that lost access are not re-scored.`
  const unchanged = new StreamedTable<Unchanged>(
    wb,
    RESCORE_CHANGES_SHEETS[2],
    {
      title: 'Ratings unchanged',
      intro: `${sameTotal} re-scored score(s) kept their rating (their scores may still have moved).${checked}`,
      columns: UNCHANGED_COLUMNS,
      empty: 'Every re-scored score changed rating.',
      footer,
    },
    pace,
  )
  for (const u of same) await unchanged.add(u)
  if (same.length > 1) await unchanged.add({ rating: null, count: sameTotal })
  unchanged.close()
  await wb.commit()
}
