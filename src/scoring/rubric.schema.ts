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

/**
 * The factors of inherent risk (scoring.md §4). `corridors` (2026.2) scores the workforce's migration routes; for a
 * recruiter, `country` then comes from its routes instead of its head office.
 */
export const INHERENT_FACTORS = [
  'country',
  'sector',
  'migrant_share',
  'recruitment_channels',
  'tied_permits',
  'employer_accommodation',
  'corridors',
  'dont_know',
] as const
export type InherentFactorKey = (typeof INHERENT_FACTORS)[number]

/**
 * Rubric 2026.2 (scoring.md §4.2): factors that move together (many migrants, recruited through agencies, on tied
 * permits, in employer housing) are banded in a group whose points are capped, so that together they cannot fill
 * the scale and the total still tells sites apart.
 */
const InherentGroup = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'group ids are lower-case words joined by _'),
  label: z.string().min(1),
  factors: z.array(z.enum(INHERENT_FACTORS)).min(1),
  cap: Points,
})

/** A band of a number with no upper limit (months of earnings, country points): the first band it is below. */
const Band = z.strictObject({ below: z.number().min(0).optional(), points: Points, label: z.string().min(1) })

/** One migration corridor's typical worker-paid recruitment cost, from a published survey. */
const CorridorCost = z.strictObject({
  origin: z.string().regex(/^[A-Z]{2}$/),
  destination: z.string().regex(/^[A-Z]{2}$/),
  /** Worker-paid recruitment cost in months of earnings in the destination country. */
  months: z.number().min(0).max(120),
  /** The survey the figure comes from. */
  survey: z.string().min(1),
  year: z.number().int().min(1990).max(2100),
  /** How the figure was read or worked out from the survey. */
  basis: z.string().min(1),
})

export const CorridorCostTable = z.strictObject({
  source: z.string().min(1),
  year: z.number().int().min(1990).max(2100),
  unit: z.string().min(1),
  corridors: z.array(CorridorCost).superRefine((rows, ctx) => {
    const seen = new Set<string>()
    rows.forEach((c, i) => {
      const key = `${c.origin}-${c.destination}`
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: `${key} appears more than once: keep one figure per corridor`,
        })
      seen.add(key)
    })
  }),
})

/**
 * Rubric 2026.2 (scoring.md §4.5): the workforce's migration routes (the `corridors` profile question), each scored
 * from public data: the origin country's points in the country table, banded; for a recruiter the destination's
 * too; and where a recruitment-cost survey covers the corridor, the typical cost workers paid, banded.
 */
const CorridorScoring = z.strictObject({
  costs: CorridorCostTable,
  /** Bands of the origin country's points in the country table. */
  origin: z.array(Band).min(1),
  /** Bands of the surveyed cost in months of earnings. */
  cost_bands: z.array(Band).min(1),
  /** At most this many points per route. */
  max_points: Points,
  /**
   * How routes combine into one factor: `workers`, the mean weighted by the number of workers on each route (the
   * exposure of the workforce as a whole), or `worst`, the riskiest route.
   */
  weighting: z.enum(['workers', 'worst']),
  /** Routes not given although the site employs migrant workers (or a recruiter places workers). */
  unanswered_points: Points,
})

/** One side of a consistency rule: answers to a question (or to every question matching a prefix ending in *). */
const AnswerMatch = z.strictObject({
  question: z.string().regex(/^[A-Za-z][A-Za-z0-9_.]*\*?$/, 'a question id, or a prefix ending in * (A3.2*)'),
  /** Any of these choices selected (single, multi or scale). */
  choices: z.array(z.string()).min(1).optional(),
  /** A number answer of at least / at most this. */
  min: z.number().optional(),
  max: z.number().optional(),
})
export type AnswerMatch = z.infer<typeof AnswerMatch>

/**
 * A consistency rule (scoring.md §6.3): a claim beside an answer that contradicts it raises a suspected red flag
 * with the `red_flags.suspected` floor until a reviewer clears or confirms it.
 */
export const ConsistencyRule = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'rule ids are lower-case words joined by _'),
  questionnaire: z.string(),
  title: z.string().min(1),
  /**
   * The claim: every match must hold. Empty for a warning sign that needs no claim (a few workers arriving in
   * debt: a suspected flag until a reviewer looks).
   */
  claim: z.array(AnswerMatch),
  /** What contradicts the claim (or, with no claim, the warning sign): any one match is enough. */
  contradicted_by: z.array(AnswerMatch).min(1),
  indicator: z.enum(INDICATOR_KEYS),
  /** Why the two answers cannot both be true, in words a compliance reader accepts. */
  reason: z.string().min(1),
  /** What the reviewer should check to settle it. */
  check: z.string().min(1),
})
export type ConsistencyRule = z.infer<typeof ConsistencyRule>

/**
 * Brand maturity (scoring.md §14): a brand is not a site. It is graded per due-diligence step from the questions
 * citing that step, and its sourcing exposure weighs the countries and sectors it buys from by share of spend.
 */
export const MaturityBlock = z.strictObject({
  /** The questionnaire graded this way (the brand's). */
  questionnaire: z.string().min(1),
  /**
   * The steps in order. A step is made of the scored questions citing `source`: "OECD-DD step 1" matches a source
   * "OECD-DD step 1" or "OECD-DD step 1 (policy commitment)", never "OECD-DD step 10".
   */
  steps: z
    .array(z.strictObject({ step: z.string().min(1), title: z.string().min(1), source: z.string().min(1) }))
    .min(1),
  /** Grades from best to worst: a step scoring at least `min` (0–100) gets the first grade it reaches. */
  grades: z
    .array(z.strictObject({ grade: z.string().min(1), min: z.number().min(0).max(100), label: z.string().min(1) }))
    .min(1)
    .refine((g) => g.every((x, i) => i === 0 || x.min < (g[i - 1] as { min: number }).min), {
      message: 'list the grades from best to worst, each with a lower min than the one before',
    })
    .refine((g) => g[g.length - 1]?.min === 0, { message: 'the last grade needs min 0, so every score gets one' }),
  exposure: z.strictObject({
    /**
     * Bands of the spend-weighted mean of row points (country points + sector points, from `inherent`). A row at
     * or above `high` counts in the share of spend at high risk.
     */
    bands: z.strictObject({ medium: Points, high: Points }),
    /** The band when no sourcing row is given: unknown is not low. */
    unknown_band: z.enum(INHERENT_BANDS),
  }),
})
export type MaturityBlock = z.infer<typeof MaturityBlock>

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
    /** Rubric 2026.2: capped groups of correlated factors. Absent: every factor adds up to the one cap. */
    groups: z
      .array(InherentGroup)
      .superRefine((groups, ctx) => {
        const ids = new Set<string>()
        const owner = new Map<string, string>()
        groups.forEach((g, i) => {
          if (ids.has(g.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `group ${g.id} appears twice` })
          ids.add(g.id)
          g.factors.forEach((f, j) => {
            const other = owner.get(f)
            if (other !== undefined)
              ctx.addIssue({
                code: 'custom',
                path: [i, 'factors', j],
                message: `${f} is already in group ${other}: a factor belongs to one group at most`,
              })
            owner.set(f, g.id)
          })
        })
      })
      .optional(),
    /**
     * Rubric 2026.2: which profile answers count as migrant workers in the migrant share. Absent: cross-border
     * migrants only (`migrant_workers`).
     */
    migrant_share_counts: z
      .array(z.enum(['migrant_workers', 'internal_migrants']))
      .min(1)
      .optional(),
    /** Rubric 2026.2: the migration routes. Absent: routes are not scored and a recruiter's country is its head office. */
    corridors: CorridorScoring.optional(),
    /** Rubric 2026.2: points per fee band a recruiter reports for a route (the choice ids of its corridors question). */
    corridor_fee_bands: z.record(z.string(), Points).optional(),
    /**
     * Rubric 2026.2: what each band means as a priority of verification, said in the result's explanation (the
     * band also chooses the row of the matrix and, with unverified critical claims, the verification rule).
     */
    priority: z.strictObject({ low: z.string().min(1), medium: z.string().min(1), high: z.string().min(1) }).optional(),
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
  /**
   * Rubric 2026.2 (scoring.md §5.1): proof decides how good a rating can be. Absent in 2026.1, whose snapshots
   * keep their meaning.
   */
  verification: z
    .strictObject({
      /** Severities whose claims must be verified (evidence accepted by a reviewer, or a reviewer's verification). */
      severities: z.array(z.enum(SEVERITIES)).min(1),
      /** The best rating while any such question is not verified. */
      best_unverified: Rating,
      /** With inherent risk in `high_priority` and unverified critical claims, at least this rating. */
      high_priority: z.enum(INHERENT_BANDS),
      high_priority_rating: Rating,
      /** Said beside the rating when the verification rule applied. */
      caution: z.string().min(1),
      /** Days to verify a claim, by the question's severity. */
      deadline_days: z.partialRecord(z.enum(SEVERITIES), z.number().int().min(1).max(365)),
      /** What would prove a claim: documents, confidential interviews per recruitment route, a site visit. */
      how: z.string().min(1),
      /**
       * Whether inherent risk still sets the matrix row once every required claim is verified. 2026.2: no, it
       * sets the priority of verification only (the matrix's low row applies).
       */
      verified_ignores_inherent: z.boolean(),
    })
    .optional(),
  /** Rubric 2026.2: answers that contradict each other, and warning signs (scoring.md §6.3). */
  consistency: z.strictObject({ rules: z.array(ConsistencyRule) }).optional(),
  /** Rubric 2026.2: the brand's maturity per due-diligence step and its sourcing exposure (scoring.md §14). */
  maturity: MaturityBlock.optional(),
  /** Suggested days per gap type when a question gives none. */
  default_timeframes: z.partialRecord(z.enum(GAP_TYPE_KEYS), z.number().int().min(0)).default({}),
})
export type Rubric = z.infer<typeof RubricFile>
export type RubricInput = z.input<typeof RubricFile>
