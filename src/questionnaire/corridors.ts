import { COUNTRIES, isCountryCode } from './countries.ts'

/**
 * A `corridors` answer: the migration routes of a workforce, stored as a list of short strings so that it
 * travels through the same answer storage, API and conditions as a multiple choice. One row per route:
 *
 *   "NP:450:origin_agency"      origin Nepal, 450 workers, the question's choice "origin_agency"
 *   "NP-MY:120:fee_1_3"         with `corridor_destination`: Nepal to Malaysia, 120 workers, choice "fee_1_3"
 *
 * The number is how many workers came (or were placed) on that route; the choice is what the question asks
 * about the route (the recruitment channel, a fee band). Pure: no I/O.
 */

export type Corridor = { origin: string; destination: string | null; workers: number; choice: string }

export const MAX_CORRIDORS = 60
export const MAX_CORRIDOR_WORKERS = 1_000_000

const ROW = /^([A-Z]{2})(?:-([A-Z]{2}))?:(\d{1,7}):([A-Za-z0-9_.]+)$/

/** One stored row, or null when it is not one. */
export function parseCorridor(row: string): Corridor | null {
  const m = ROW.exec(row)
  if (!m) return null
  return { origin: m[1] as string, destination: m[2] ?? null, workers: Number(m[3]), choice: m[4] as string }
}

export function formatCorridor(c: Corridor): string {
  return `${c.origin}${c.destination ? `-${c.destination}` : ''}:${c.workers}:${c.choice}`
}

/** Why a list of rows is not a valid answer, or null. `choices` are the question's choice ids. */
export function corridorsProblem(
  rows: readonly string[],
  choices: ReadonlySet<string>,
  withDestination: boolean,
): string | null {
  if (rows.length > MAX_CORRIDORS) return `at most ${MAX_CORRIDORS} routes`
  const seen = new Set<string>()
  for (const [i, row] of rows.entries()) {
    const c = parseCorridor(row)
    const n = `route ${i + 1}`
    if (!c) {
      return withDestination
        ? `${n}: write origin-destination:workers:choice, for example NP-MY:120:${[...choices][0] ?? 'choice'}`
        : `${n}: write origin:workers:choice, for example NP:450:${[...choices][0] ?? 'choice'}`
    }
    if (!isCountryCode(c.origin)) return `${n}: "${c.origin}" is not an ISO 3166 country code`
    if (withDestination && !c.destination) return `${n}: name the destination country too (origin-destination)`
    if (!withDestination && c.destination) return `${n}: name only the origin country`
    if (c.destination && !isCountryCode(c.destination))
      return `${n}: "${c.destination}" is not an ISO 3166 country code`
    if (c.workers < 1 || c.workers > MAX_CORRIDOR_WORKERS)
      return `${n}: the number of workers must be between 1 and ${MAX_CORRIDOR_WORKERS.toLocaleString('en')}`
    if (!choices.has(c.choice)) return `${n}: "${c.choice}" is not one of ${[...choices].join(', ')}`
    const key = `${c.origin}-${c.destination ?? ''}:${c.choice}`
    if (seen.has(key)) return `${n}: the same route and answer are listed twice; add the numbers up instead`
    seen.add(key)
  }
  return null
}

/**
 * Rows in a person's words: "Nepal, 450 workers (Agency in the home country)". `unit` names what the number
 * counts when it is not workers (a brand's share of spend: "Thailand, 35 percent of spend (Garments)").
 */
export function corridorText(row: string, label: (choice: string) => string, unit?: string): string {
  const c = parseCorridor(row)
  if (!c) return row
  const name = (code: string) => COUNTRIES[code] ?? code
  const route = c.destination ? `${name(c.origin)} to ${name(c.destination)}` : name(c.origin)
  const count = unit ? `${c.workers} ${unit}` : `${c.workers} worker${c.workers === 1 ? '' : 's'}`
  return `${route}, ${count} (${label(c.choice)})`
}
