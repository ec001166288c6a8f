import { z } from 'zod'
import { numberProblem, textProblem } from '../plain-text.ts'
import type { AnswerValue } from './condition.ts'
import { corridorsProblem } from './corridors.ts'
import { isCountryCode } from './countries.ts'
import type { CompiledQuestionnaire } from './model.ts'
import { t } from './text.ts'

/**
 * Checking answers against a questionnaire version: every problem is reported with the question it
 * concerns, so a person can fix the file or form in one pass.
 */

export const RawAnswer = z.union([z.string().max(20_000), z.number(), z.array(z.string().max(200)).max(200), z.null()])
export type RawAnswer = z.infer<typeof RawAnswer>

export const VERIFICATION_METHODS = ['document', 'worker_interview', 'site_visit'] as const

export type AnswerProblem = { field: string; message: string }

export type CheckedAnswers = {
  values: Map<string, AnswerValue>
  evidence: Set<string>
  verified: Map<string, string>
  problems: AnswerProblem[]
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

function validDate(s: string): boolean {
  const m = ISO_DATE.exec(s)
  if (!m) return false
  const d = new Date(`${s}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
}

export function checkAnswers(
  cq: CompiledQuestionnaire,
  answers: Record<string, RawAnswer>,
  evidence: readonly string[] = [],
  verified: Record<string, string> = {},
): CheckedAnswers {
  const values = new Map<string, AnswerValue>()
  const problems: AnswerProblem[] = []
  const where = `questionnaire ${cq.def.id} ${cq.def.version}`

  for (const [qid, raw] of Object.entries(answers)) {
    const field = `answers.${qid}`
    const e = cq.byId.get(qid)
    if (!e) {
      problems.push({ field, message: `no question "${qid}" in ${where}` })
      continue
    }
    if (raw === null || raw === '') continue
    const q = e.question
    const allowed = () => e.choices.map((c) => c.id).join(', ')
    switch (q.type) {
      case 'single':
      case 'scale': {
        if (typeof raw !== 'string') {
          problems.push({ field, message: `expected one choice id (${allowed()})` })
        } else if (!e.choiceById.has(raw)) {
          problems.push({ field, message: `"${raw}" is not a choice of ${qid} (${allowed()})` })
        } else values.set(qid, raw)
        break
      }
      case 'multi': {
        const list = typeof raw === 'string' ? [raw] : raw
        if (!Array.isArray(list)) {
          problems.push({ field, message: `expected a list of choice ids (${allowed()})` })
          break
        }
        const unknown = list.filter((c) => !e.choiceById.has(c))
        if (unknown.length > 0) {
          problems.push({
            field,
            message: `${unknown.map((u) => `"${u}"`).join(', ')} ${unknown.length > 1 ? 'are not choices' : 'is not a choice'} of ${qid} (${allowed()})`,
          })
          break
        }
        if (new Set(list).size !== list.length) {
          problems.push({ field, message: 'a choice is listed twice' })
          break
        }
        const exclusive = list.filter((c) => e.choiceById.get(c)?.exclusive || e.choiceById.get(c)?.dont_know)
        if (exclusive.length > 0 && list.length > 1) {
          problems.push({
            field,
            message: `"${t(e.choiceById.get(exclusive[0] as string)?.label)}" cannot be combined with other choices`,
          })
          break
        }
        if (list.length > 0) values.set(qid, [...list])
        break
      }
      case 'number': {
        const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw
        const msg = q.constraint_message ? t(q.constraint_message) : undefined
        if (typeof n !== 'number' || !Number.isFinite(n)) {
          problems.push({ field, message: msg ?? 'expected a number' })
        } else if (numberProblem(n)) {
          problems.push({ field, message: numberProblem(n) as string })
        } else if (q.integer && !Number.isInteger(n)) {
          problems.push({ field, message: msg ?? 'expected a whole number' })
        } else if (q.min !== undefined && n < q.min) {
          problems.push({ field, message: msg ?? `must be at least ${q.min}` })
        } else if (q.max !== undefined && n > q.max) {
          problems.push({ field, message: msg ?? `must be at most ${q.max}` })
        } else values.set(qid, n)
        break
      }
      case 'date': {
        if (typeof raw !== 'string' || !validDate(raw))
          problems.push({ field, message: 'expected a date written YYYY-MM-DD' })
        else values.set(qid, raw)
        break
      }
      case 'country': {
        const code = typeof raw === 'string' ? raw.toUpperCase() : raw
        if (typeof code !== 'string' || !isCountryCode(code))
          problems.push({ field, message: 'expected an ISO 3166 two-letter country code such as TH or MY' })
        else values.set(qid, code)
        break
      }
      case 'corridors': {
        const list =
          typeof raw === 'string'
            ? raw
                .split(/[\n;]+/)
                .map((r) => r.trim())
                .filter((r) => r !== '')
            : raw
        if (!Array.isArray(list)) {
          problems.push({ field, message: 'expected a list of routes such as NP:450:origin_agency' })
          break
        }
        const problem = corridorsProblem(list, new Set(e.choices.map((c) => c.id)), q.corridor_destination === true)
        if (problem) problems.push({ field, message: problem })
        else if (list.length > 0) values.set(qid, [...list])
        break
      }
      case 'text': {
        if (typeof raw !== 'string') problems.push({ field, message: 'expected text' })
        else if (textProblem(raw)) problems.push({ field, message: textProblem(raw) as string })
        else if (raw.length > 10_000) problems.push({ field, message: 'is longer than 10,000 characters' })
        else values.set(qid, raw)
        break
      }
    }
  }

  const ev = new Set<string>()
  evidence.forEach((qid, i) => {
    if (!cq.byId.has(qid)) problems.push({ field: `evidence[${i}]`, message: `no question "${qid}" in ${where}` })
    else ev.add(qid)
  })
  const ver = new Map<string, string>()
  for (const [qid, method] of Object.entries(verified)) {
    if (!cq.byId.has(qid)) problems.push({ field: `verified.${qid}`, message: `no question "${qid}" in ${where}` })
    else if (!(VERIFICATION_METHODS as readonly string[]).includes(method)) {
      problems.push({ field: `verified.${qid}`, message: `method must be one of ${VERIFICATION_METHODS.join(', ')}` })
    } else ver.set(qid, method)
  }
  return { values, evidence: ev, verified: ver, problems }
}
