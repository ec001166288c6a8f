import type { ScoreResult } from '../../scoring/result.schema.ts'
import { RATINGS, type Rating } from '../../scoring/rubric.schema.ts'

/**
 * Why a re-score moved a rating, read from the two results' `ratingExplanation` (scoring/stages/rating.ts): the
 * rating is the worst of the matrix rating (inherent band × control band) and every red-flag floor that applies.
 * So when the rating got worse, what moved it is whatever now reaches the new rating and did not before (a new
 * or raised floor, or the matrix); when it got better, it is whatever reached the old rating and no longer does
 * (a floor gone or lowered, or the matrix). Everything else that differs between the two explanations is listed
 * apart, so that a reader sees the whole change without mistaking it for the cause.
 */

export type RatingExplanation = ScoreResult['ratingExplanation']
type Floor = RatingExplanation['floors'][number]

export type RatingMove = {
  /** The rule or rules that moved the rating, e.g. "new floor: 1 red flag: at least critical". */
  rule: string
  /** Other differences between the two explanations that did not decide the move ("" when none). */
  other: string
}

const rank = (r: Rating) => RATINGS.indexOf(r)

const BAND_WORDS: Record<string, string> = { very_weak: 'very weak' }
const band = (b: string) => BAND_WORDS[b] ?? b

function matrixText(m: RatingExplanation['matrix']): string {
  return `inherent ${band(m.inherentBand)} × control ${band(m.controlBand)} → ${m.rating}`
}

function matrixChange(before: RatingExplanation['matrix'], after: RatingExplanation['matrix']): string {
  return `matrix: ${matrixText(after)} (was ${band(before.inherentBand)} × ${band(before.controlBand)} → ${before.rating})`
}

const sameMatrix = (a: RatingExplanation['matrix'], b: RatingExplanation['matrix']) =>
  a.inherentBand === b.inherentBand && a.controlBand === b.controlBand && a.rating === b.rating

/**
 * What a floor is about, without the rating it sets or the counts in it: its reason up to the last ": ", with a
 * leading count and the families listed made general ("2 red flags: at least high" → "# red flag"), so that a
 * floor whose rating or count changed is recognised as the same floor (scoring/stages/rating.ts writes them).
 */
function floorKey(f: Floor): string {
  const cut = f.reason.lastIndexOf(': ')
  return (cut > 0 ? f.reason.slice(0, cut) : f.reason)
    .replace(/^\d+ /, '# ')
    .replace(/ in \d+ indicator families \([^)]*\)/, ' in # indicator families')
    .replace(/\bflags\b/g, 'flag')
}

type FloorDiff =
  | { kind: 'new'; after: Floor }
  | { kind: 'gone'; before: Floor }
  | { kind: 'changed'; before: Floor; after: Floor }

/** Floors matched by what they are about; the same floor twice (two escalating answers) is matched in order. */
function floorDiffs(before: readonly Floor[], after: readonly Floor[]): FloorDiff[] {
  const left = new Map<string, Floor[]>()
  for (const f of before) left.set(floorKey(f), [...(left.get(floorKey(f)) ?? []), f])
  const out: FloorDiff[] = []
  for (const f of after) {
    const match = left.get(floorKey(f))?.shift()
    if (!match) out.push({ kind: 'new', after: f })
    else if (match.reason !== f.reason || match.rating !== f.rating)
      out.push({ kind: 'changed', before: match, after: f })
  }
  for (const rest of left.values()) for (const f of rest) out.push({ kind: 'gone', before: f })
  return out
}

function floorText(d: FloorDiff): string {
  if (d.kind === 'new') return `new floor: ${d.after.reason}`
  if (d.kind === 'gone') return `floor gone: ${d.before.reason}`
  return `floor changed: ${d.after.reason} (was ${d.before.reason})`
}

/** The rating an explanation gives: the worst of its matrix rating and its floors. */
export function ratingOf(e: RatingExplanation): Rating {
  return e.floors.reduce<Rating>((acc, f) => (rank(f.rating) > rank(acc) ? f.rating : acc), e.matrix.rating)
}

type Item = {
  text: string
  decisive: boolean /** The rating the changed rule gives now (none: gone). */
  now: Rating | null
}

/**
 * The rule that moved a rating from `before` to `after` and the other differences. Also correct when the
 * rating did not move (the rule is then empty and every difference is "other").
 */
export function explainMove(before: RatingExplanation, after: RatingExplanation): RatingMove {
  const from = ratingOf(before)
  const to = ratingOf(after)
  const worse = rank(to) > rank(from)
  const better = rank(to) < rank(from)
  const items: Item[] = []
  // Worse: the rules that now reach the new rating. None of them reached it before (else the old rating would
  // have been at least as bad), so each is a new or changed floor, or a changed matrix. Better: the rules that
  // reached the old rating and no longer do: a floor gone or lowered, or the matrix.
  if (!sameMatrix(before.matrix, after.matrix))
    items.push({
      text: matrixChange(before.matrix, after.matrix),
      decisive: (worse && after.matrix.rating === to) || (better && before.matrix.rating === from),
      now: after.matrix.rating,
    })
  for (const d of floorDiffs(before.floors, after.floors))
    items.push({
      text: floorText(d),
      decisive:
        (worse && d.kind !== 'gone' && d.after.rating === to) ||
        (better && d.kind !== 'new' && d.before.rating === from),
      now: d.kind === 'gone' ? null : d.after.rating,
    })
  const decisive = items.filter((i) => i.decisive)
  const rule = decisive.map((i) => i.text)
  // Better, and no changed rule says what gives the new rating: name the rule that does.
  if (better && !decisive.some((i) => i.now === to))
    rule.push(
      after.matrix.rating === to
        ? `now set by the matrix: ${matrixText(after.matrix)}`
        : `now set by the floor: ${after.floors.find((f) => f.rating === to)?.reason ?? to}`,
    )
  // A stored rating that its own explanation does not give cannot happen; say so rather than invent a cause.
  if ((worse || better) && rule.length === 0) rule.push('no rating rule changed; see the scores')
  return {
    rule: rule.join('; '),
    other: items
      .filter((i) => !i.decisive)
      .map((i) => i.text)
      .join('; '),
  }
}
