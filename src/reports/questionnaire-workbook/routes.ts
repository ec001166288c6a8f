import { type Corridor, formatCorridor, parseCorridor } from '../../questionnaire/corridors.ts'
import { COUNTRIES } from '../../questionnaire/countries.ts'
import type { QuestionEntry } from '../../questionnaire/model.ts'
import { t } from '../../questionnaire/text.ts'
import { choiceIndex, countryByName, normaliseLabel } from './layout.ts'

/**
 * The Answer cell of a corridors question (migration routes) in the offline workbook: one route per line, in words a
 * person can read and type, "Nepal; 450; Agency in the home country" (with the country of work after the home
 * country when the question asks for it). The short stored form, "NP:450:origin_agency", is read too. Writing and
 * reading give back the same rows in the same order, so an untouched cell changes nothing.
 */

const withDestination = (e: QuestionEntry) => e.question.corridor_destination === true

/** What a line holds, in the order it is written. */
export function routeLineShape(e: QuestionEntry): string {
  return withDestination(e)
    ? 'home country; country of work; number of workers; answer'
    : 'home country; number of workers; answer'
}

/** The cell text of a saved answer. */
export function routesCellText(e: QuestionEntry, rows: readonly string[]): string {
  return rows
    .map((row) => {
      const c = parseCorridor(row)
      if (!c) return row
      const label = e.choiceById.get(c.choice)
      const parts = [COUNTRIES[c.origin] ?? c.origin]
      if (c.destination) parts.push(COUNTRIES[c.destination] ?? c.destination)
      parts.push(String(c.workers), label ? t(label.label) : c.choice)
      return parts.join('; ')
    })
    .join('\n')
}

const COMPACT = /^[A-Za-z]{2}(-[A-Za-z]{2})?:\d+:[A-Za-z0-9_.]+$/

/**
 * The rows a cell holds, or what is wrong with it, line by line. Rows come back in the stored form; checkAnswers
 * then checks them as it checks any answer (limits, repeated routes).
 */
export function readRoutesCell(e: QuestionEntry, text: string): { value: string[] } | { error: string } {
  const rows: string[] = []
  const problems: string[] = []
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trim())
  lines.forEach((line, i) => {
    if (line === '') return
    const n = i + 1
    const compact = line
      .split(';')
      .map((p) => p.trim())
      .filter((p) => p !== '')
    // The short form, one route or several separated by ";": "NP:450:origin_agency; BD:120:direct".
    if (compact.length > 0 && compact.every((p) => COMPACT.test(p))) {
      for (const p of compact) {
        const [route, workers, choice] = p.split(':') as [string, string, string]
        rows.push(`${route.toUpperCase()}:${workers}:${choice}`)
      }
      return
    }
    const read = readWords(e, line)
    if ('error' in read) problems.push(`line ${n}: ${read.error}`)
    else rows.push(formatCorridor(read.route))
  })
  if (problems.length > 0) return { error: problems.join('; ') }
  return { value: rows }
}

function readWords(e: QuestionEntry, line: string): { route: Corridor } | { error: string } {
  const dest = withDestination(e)
  const parts = line.split(';').map((p) => p.trim())
  const needed = dest ? 4 : 3
  if (parts.length < needed) return { error: `write ${routeLineShape(e)}, separated by ";"` }
  // A label may itself hold a ";": everything after the number is the answer.
  const [originText, ...rest] = parts as [string, ...string[]]
  const destinationText = dest ? (rest.shift() as string) : null
  const workersText = rest.shift() as string
  const choiceText = rest.join('; ')
  const countries = countryByName()
  const origin = countries.get(normaliseLabel(originText))
  if (!origin) return { error: `"${originText}" is not a country in the list` }
  let destination: string | null = null
  if (destinationText !== null) {
    destination = countries.get(normaliseLabel(destinationText)) ?? null
    if (!destination) return { error: `"${destinationText}" is not a country in the list` }
  }
  const digits = workersText.replace(/[\s,]/g, '')
  if (!/^\d+$/.test(digits)) return { error: `"${workersText}" is not a number of workers` }
  const choice = choiceIndex(e).get(normaliseLabel(choiceText))
  if (!choice)
    return {
      error: `"${choiceText}" is not one of the answers (${e.choices.map((c) => `"${t(c.label)}"`).join(', ')})`,
    }
  return { route: { origin, destination, workers: Number(digits), choice } }
}
