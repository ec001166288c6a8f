import { z } from 'zod'
import {
  FRAMEWORK_KEYS,
  GAP_TYPE_KEYS,
  INDICATOR_KEYS,
  PROFILE_KEYS,
  SCALE_CHOICES,
  SEVERITIES,
  THEME_KEYS,
} from './vocabulary.ts'

/**
 * The questionnaire file format. A YAML file in `questionnaires/` must parse to `QuestionnaireFile`;
 * everything that needs the whole file (unique ids, condition references, cycles, content rules)
 * is checked afterwards in `questionnaire.validate.ts` so that each message can name its path.
 */

const LANG = /^[a-z]{2,3}(-[A-Z]{2})?$/

/** A user-facing string: plain English, or a map of language code to text with English required. */
export const Text = z.union([
  z.string().trim().min(1, 'must not be empty'),
  z
    .record(
      z.string().regex(LANG, 'language codes look like "en" or "pt-BR"'),
      z.string().trim().min(1, 'must not be empty'),
    )
    .refine((m) => typeof m.en === 'string', { message: 'an English ("en") text is required' }),
])
export type Text = z.infer<typeof Text>

const ID = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/
const Id = z.string().regex(ID, 'ids use letters, digits, "_" and "." (for example A6.1 or passport_held)')

const SOURCE = new RegExp(`^(${FRAMEWORK_KEYS.map((k) => k.replace(/[-]/g, '\\-')).join('|')})(\\s+(.+))?$`)
/** "ILO-GP 7", "UNGP 31(c)", "EPP": a declared framework key, then the clause. */
export const Source = z
  .string()
  .regex(SOURCE, `must start with a declared framework key (${FRAMEWORK_KEYS.join(', ')})`)
  .transform((s) => {
    const m = SOURCE.exec(s) as RegExpExecArray
    return { framework: m[1] as (typeof FRAMEWORK_KEYS)[number], clause: m[3] ?? '' }
  })
export type Source = z.infer<typeof Source>

export const Remediation = z.strictObject({
  action: Text,
  timeframe: Text,
  /** Suggested days from the assessment date to the due date of the action; 0 means immediately. */
  days: z.number().int().min(0).max(730),
  gap_type: z.enum(GAP_TYPE_KEYS),
})
export type Remediation = z.infer<typeof Remediation>

export const RedFlag = z.strictObject({
  indicator: z.enum(INDICATOR_KEYS),
  /** Why it matters, in a sentence a site manager understands. */
  why: Text,
})
export type RedFlag = z.infer<typeof RedFlag>

export const Choice = z.strictObject({
  id: Id,
  label: Text,
  /** 1 = good practice … 0 = gap. Left out only on unscored (profile) questions. */
  credit: z.number().min(0, 'credit must be between 0 and 1').max(1, 'credit must be between 0 and 1').optional(),
  red_flag: RedFlag.optional(),
  /** Full credit only with evidence or reviewer verification. */
  needs_evidence: z.boolean().default(false),
  /**
   * The honest alternative of a claim ("No, and we checked" → "No, but we have not checked"): until the claim is
   * evidenced or verified it earns at most that choice's credit, never more (rubric 2026.2, scoring.md §3.3).
   */
  unproven_as: Id.optional(),
  /**
   * What a "has any case been reported" choice says: `none_reported` (silence) or `remedied` (reported and put
   * right). Silence must never earn more than a remedied case: the linter checks it.
   */
  report_outcome: z.enum(['none_reported', 'remedied']).optional(),
  dont_know: z.boolean().default(false),
  not_applicable: z.boolean().default(false),
  /** In a multiple-choice question, selecting this one excludes all others ("none of these"). */
  exclusive: z.boolean().default(false),
  /** Overrides the question's remediation when this choice is the gap. */
  remediation: Remediation.optional(),
})
export type Choice = z.infer<typeof Choice>

/**
 * `corridors`: the migration routes of a workforce, a list of rows "NP:450:origin_agency" (origin country, number
 * of workers, one of the question's choices, such as the recruitment channel or a fee band), or with
 * `corridor_destination` "NP-MY:450:choice" (origin and destination). See questionnaire/corridors.ts.
 */
export const QUESTION_TYPES = ['single', 'multi', 'scale', 'number', 'text', 'date', 'country', 'corridors'] as const
export type QuestionType = (typeof QUESTION_TYPES)[number]

export const Question = z.strictObject({
  id: Id,
  type: z.enum(QUESTION_TYPES),
  text: Text,
  help: Text.optional(),
  /** Typical evidence a reviewer would expect. */
  evidence: Text.optional(),
  required: z.boolean().default(true),
  /** Applicability condition in the expression language; the question is skipped when false. */
  when: z.string().trim().min(1).optional(),
  /** Unscored questions (profile questions, free text) have no severity. */
  severity: z.enum(SEVERITIES).optional(),
  indicators: z.array(z.enum(INDICATOR_KEYS)).default([]),
  theme: z.enum(THEME_KEYS).optional(),
  profile: z.enum(PROFILE_KEYS).optional(),
  sources: z.array(Source).default([]),
  remediation: Remediation.optional(),
  choices: z.array(Choice).optional(),
  /** Scale questions only: which scale answers are red flags. */
  red_flags: z.partialRecord(z.enum(SCALE_CHOICES), RedFlag).optional(),
  /** Scale questions only: offer "not applicable". */
  allow_na: z.boolean().default(false),
  min: z.number().optional(),
  max: z.number().optional(),
  integer: z.boolean().default(false),
  unit: Text.optional(),
  constraint_message: Text.optional(),
  /** Corridors questions only: each row names its destination country too (a recruiter's routes). */
  corridor_destination: z.boolean().optional(),
})
export type Question = z.infer<typeof Question>

export const Section = z.strictObject({
  id: Id,
  title: Text,
  description: Text.optional(),
  when: z.string().trim().min(1).optional(),
  /** Profile sections are unscored and feed inherent risk. */
  profile: z.boolean().default(false),
  theme: z.enum(THEME_KEYS).optional(),
  questions: z.array(Question).min(1, 'a section needs at least one question'),
})
export type Section = z.infer<typeof Section>

export const RESPONDENTS = ['employer', 'recruiter', 'brand'] as const

export const QuestionnaireFile = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'questionnaire ids are lower-case words such as "employer"'),
  version: z.string().regex(/^\d{4}\.\d+(\.\d+)?$/, 'versions look like 2026.1'),
  title: Text,
  description: Text,
  respondent: z.enum(RESPONDENTS),
  /** Declared languages; English is always required and must be complete. */
  languages: z.array(z.string().regex(LANG)).default(['en']),
  /** Full titles of the documents cited, for the questionnaire's reference list. */
  references: z.array(z.strictObject({ key: z.string(), title: z.string(), url: z.string().optional() })).default([]),
  sections: z.array(Section).min(1),
})
export type QuestionnaireFile = z.infer<typeof QuestionnaireFile>
export type QuestionnaireInput = z.input<typeof QuestionnaireFile>
