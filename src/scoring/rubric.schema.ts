import { z } from 'zod'
import { GAP_TYPE_KEYS, INDICATOR_KEYS, SEVERITIES } from '../questionnaire/vocabulary.ts'

/**
 * The risk rubric: every number the scoring engine uses. Shipped as YAML in questionnaires/rubrics/,
 * stored in SQLite as immutable versions; a derived rubric is a full copy with some values changed.
 */

export const RATINGS = ['low', 'medium', 'high', 'critical'] as const
export type Rating = (typeof RATINGS)[number]
export const Rating = z.enum(RATINGS)

export const CONTROL_BANDS = ['strong', 'adequate', 'weak', 'very_weak'] as const
export type ControlBand = (typeof CONTROL_BANDS)[number]
export const INHERENT_BANDS = ['low', 'medium', 'high'] as const
export type InherentBand = (typeof INHERENT_BANDS)[number]

const Points = z.number().min(0).max(10)
const Share = z.number().min(0).max(1)

const CountryRow = z.strictObject({
  code: z.string().regex(/^[A-Z]{2}$/),
  name: z.string(),
  /** null: no data for this country; the table's default applies and says so. */
  points: Points.nullable(),
  basis: z.string(),
})

export const CountryTable = z.strictObject({
  source: z.string().min(1),
  year: z.number().int().min(1990).max(2100),
  scale: z.string().optional(),
  /** Points for a country with no data, and why; never silently "low". */
  default_points: Points,
  default_basis: z.string().min(1),
  countries: z.array(CountryRow).min(1),
})

export const SectorTable = z.strictObject({
  /** Base points per sector choice id (the `sector` profile question's choices). */
  points: z.record(z.string(), Points),
  default_points: Points,
  /** Extra points when the site's country is listed for forced labour in goods of that sector. */
  listed_goods_points: Points,
  listed_goods: z.strictObject({
    source: z.string().min(1),
    year: z.number().int(),
    sectors: z.record(z.string(), z.record(z.string(), z.array(z.string()))),
  }),
  max_points: Points,
})

const Threshold = z.strictObject({ below: Share.optional(), points: Points, label: z.string() })

export const RubricFile = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  version: z.string().regex(/^\d{4}\.\d+(\.\d+)?$/, 'versions look like 2026.1'),
  title: z.string().min(1),
  description: z.string().optional(),
  /** The rubric this one was derived from (id@revision), for the record. */
  derived_from: z.string().optional(),
  answer_credits: z.strictObject({ yes: Share, partly: Share, no: Share, dont_know: Share }),
  severity_weights: z.strictObject(
    Object.fromEntries(SEVERITIES.map((s) => [s, z.number().positive().max(100)])) as Record<
      (typeof SEVERITIES)[number],
      z.ZodNumber
    >,
  ),
  /** Section weights per questionnaire id; a section not listed weighs `default_section_weight`. */
  section_weights: z.record(z.string(), z.record(z.string(), z.number().min(0).max(100))),
  default_section_weight: z.number().min(0).max(100),
  evidence: z.strictObject({
    /** Severities where a "yes" without evidence or verification earns only `unverified_credit`. */
    severities: z.array(z.enum(SEVERITIES)),
    unverified_credit: Share,
  }),
  control_bands: z.strictObject({ strong: z.number(), adequate: z.number(), weak: z.number() }),
  inherent: z.strictObject({
    cap: Points,
    bands: z.strictObject({ medium: Points, high: Points }),
    country: CountryTable,
    country_unanswered_points: Points,
    sector: SectorTable,
    migrant_share: z.array(Threshold).min(1),
    migrant_share_unknown_points: Points,
    recruitment_channels: z.record(z.string(), Points),
    recruitment_channels_unknown_points: Points,
    tied_permits: z.record(z.string(), Points),
    employer_accommodation: z.record(z.string(), Points),
    dont_know: z.strictObject({ above_share: Share, points: Points }),
  }),
  /** Rating per inherent band (rows) and control band (columns). */
  matrix: z.strictObject(
    Object.fromEntries(
      INHERENT_BANDS.map((b) => [
        b,
        z.strictObject(Object.fromEntries(CONTROL_BANDS.map((c) => [c, Rating])) as Record<ControlBand, typeof Rating>),
      ]),
    ) as Record<InherentBand, z.ZodObject<Record<ControlBand, typeof Rating>>>,
  ),
  red_flags: z.strictObject({
    /** Rating floor with at least one active red flag. */
    any: Rating,
    /** Rating floor with active red flags in at least `families_threshold` indicator families. */
    several_families: Rating,
    families_threshold: z.number().int().min(2),
    /** Indicators for which one red flag alone reaches `escalation` (violence, threats, children). */
    escalate_indicators: z.array(z.enum(INDICATOR_KEYS)),
    /** Individual answers that escalate alone, as question:choice (confinement). */
    escalate_answers: z.array(z.string().regex(/^[^:]+:[^:]+$/, 'write question:choice')),
    escalation: Rating,
    /** Reviewers' suspected red flags: a precaution, not a finding. */
    suspected: Rating,
    /** Per questionnaire id: how repaying recruitment fees changes fee red flags. */
    fee_repayment: z.record(
      z.string(),
      z.strictObject({
        /** Questions (by id, or a prefix ending in *) whose red flags are recruitment fees. */
        fee_questions: z.array(z.string()),
        plan_question: z.string(),
        /** With this answer, fee red flags no longer escalate and set only `downgraded_floor`. */
        dated_plan_choices: z.array(z.string()),
        /** With this answer and evidence or verification, fee red flags are cleared. */
        repaid_choices: z.array(z.string()),
        downgraded_floor: Rating,
      }),
    ),
  }),
  confidence: z.strictObject({
    low_above_dont_know_share: Share,
    medium_above_dont_know_share: Share,
    medium_above_unverified_share: Share,
  }),
  /** Suggested days per gap type when a question gives none. */
  default_timeframes: z.partialRecord(z.enum(GAP_TYPE_KEYS), z.number().int().min(0)).default({}),
})
export type Rubric = z.infer<typeof RubricFile>
export type RubricInput = z.input<typeof RubricFile>
