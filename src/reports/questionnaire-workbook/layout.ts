import { createHash } from 'node:crypto'
import { COUNTRIES } from '../../questionnaire/countries.ts'
import type { CompiledQuestionnaire, QuestionEntry } from '../../questionnaire/model.ts'
import type { Section } from '../../questionnaire/questionnaire.schema.ts'
import { t } from '../../questionnaire/text.ts'

/**
 * What the export and the import of the offline questionnaire workbook must agree on: sheet names,
 * columns, where each question's row is, and the keys that tie rows and metadata to one questionnaire
 * version and one assessment.
 */

export type WorkbookMeta = { assessmentId: number; questionnaireId: string; revision: number; contentHash: string }

/** Bumped when the layout changes, so an old file is refused with a clear message instead of misread. */
export const FORMAT_VERSION = 1

export const SHEET = { instructions: 'Instructions', answers: 'Answers', lists: 'Lists', meta: 'Meta' } as const

export const COL = {
  section: 'A',
  id: 'B',
  question: 'C',
  answer: 'D',
  comment: 'E',
  how: 'F',
  help: 'G',
  key: 'H',
} as const
export const COLUMN_NUMBER = { section: 1, id: 2, question: 3, answer: 4, comment: 5, how: 6, help: 7, key: 8 } as const

export const HEADER_ROW = 1

export const META_KEYS = [
  'format',
  'assessment_id',
  'questionnaire_id',
  'questionnaire_version',
  'revision',
  'content_hash',
  'checksum',
] as const
export type MetaKey = (typeof META_KEYS)[number]

export type LayoutRow =
  | { kind: 'section'; row: number; section: Section }
  | { kind: 'question'; row: number; entry: QuestionEntry }

/** One header row per section, then one row per question, in questionnaire order. */
export function layout(cq: CompiledQuestionnaire): LayoutRow[] {
  const rows: LayoutRow[] = []
  let row = HEADER_ROW
  let section: Section | undefined
  for (const entry of cq.entries) {
    if (entry.section !== section) {
      section = entry.section
      rows.push({ kind: 'section', row: ++row, section })
    }
    rows.push({ kind: 'question', row: ++row, entry })
  }
  return rows
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

/**
 * A per-row key in a hidden column: it binds the row to its question id and to this questionnaire
 * version, so an edited id, or a row pasted from another version's workbook, is recognised.
 */
export function rowKey(contentHash: string, questionId: string): string {
  return sha256(`${contentHash}\u0000${questionId}`).slice(0, 16)
}

/** Over the metadata and every question id in order: any edit of the hidden metadata changes it. */
export function metaChecksum(meta: WorkbookMeta, cq: CompiledQuestionnaire): string {
  const ids = cq.entries.map((e) => e.question.id)
  return sha256(
    JSON.stringify([FORMAT_VERSION, meta.assessmentId, meta.questionnaireId, meta.revision, meta.contentHash, ids]),
  )
}

/** Labels are matched forgivingly: case, spacing and typographic apostrophes do not matter. */
export function normaliseLabel(s: string): string {
  return s
    .normalize('NFC')
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase()
}

/** Choice lookup by label or by id, for the import. */
export function choiceIndex(e: QuestionEntry): Map<string, string> {
  const index = new Map<string, string>()
  for (const c of e.choices) index.set(normaliseLabel(c.id), c.id)
  // Labels win over ids when both match, since people type what they see.
  for (const c of e.choices) index.set(normaliseLabel(t(c.label)), c.id)
  return index
}

/** Country names as shown in the drop-down, sorted for people, with their codes. */
export const COUNTRY_NAMES: readonly [string, string][] = Object.entries(COUNTRIES)
  .map(([code, name]) => [name, code] as [string, string])
  .sort((a, b) => a[0].localeCompare(b[0], 'en'))

let countryIndex: Map<string, string> | undefined
export function countryByName(): Map<string, string> {
  if (!countryIndex) {
    countryIndex = new Map()
    for (const [name, code] of COUNTRY_NAMES) {
      countryIndex.set(normaliseLabel(name), code)
      countryIndex.set(normaliseLabel(code), code)
    }
  }
  return countryIndex
}

/** Several choices in one cell: labels contain commas, so only ";" and line breaks separate them. */
export const MULTI_SEPARATOR = /[;\n\r]+/
