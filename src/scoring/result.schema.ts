import { z } from 'zod'
import { GAP_TYPE_KEYS, INDICATOR_KEYS, SEVERITIES } from '../questionnaire/vocabulary.ts'
import { CONTROL_BANDS, INHERENT_BANDS, INHERENT_FACTORS, Rating } from './rubric.schema.ts'

/** What the scoring engine returns: every number with the answers and rubric entries that made it. */

export const QUESTION_STATUSES = ['counted', 'dont_know', 'unanswered', 'excluded', 'not_applicable'] as const

export const QuestionScore = z.object({
  question: z.string(),
  answer: z.union([z.string(), z.number(), z.array(z.string())]).nullable(),
  answerLabel: z.string(),
  status: z.enum(QUESTION_STATUSES),
  severity: z.enum(SEVERITIES),
  weight: z.number(),
  credit: z.number().nullable(),
  earned: z.number(),
  possible: z.number(),
  unverified: z.boolean(),
  evidence: z.boolean(),
  verified: z.string().nullable(),
  note: z.string(),
})

export const SectionScore = z.object({
  id: z.string(),
  title: z.string(),
  applicable: z.boolean(),
  score: z.number().nullable(),
  weight: z.number(),
  earned: z.number(),
  possible: z.number(),
  counted: z.number().int(),
  dontKnow: z.number().int(),
  unverified: z.number().int(),
  questions: z.array(QuestionScore),
})

/** One migration route as the inherent-risk stage scored it (rubric 2026.2). */
export const InherentRoute = z.object({
  /** The stored row: "NP:450:origin_agency", or for a recruiter "NP-MY:120:under_1_month". */
  row: z.string(),
  origin: z.string(),
  destination: z.string().nullable(),
  workers: z.number(),
  points: z.number(),
  /** Where the points come from, in words: the origin's country points, the corridor survey or its absence. */
  basis: z.string(),
})

export const InherentFactor = z.object({
  factor: z.enum(INHERENT_FACTORS),
  question: z.string().nullable(),
  input: z.string(),
  /** The factor's own points, before any group cap. */
  points: z.number(),
  basis: z.string(),
  /** Rubric 2026.2: the capped group the factor belongs to (see `inherent.groups`). */
  group: z.string().optional(),
  /** Rubric 2026.2: the routes behind a `corridors` factor, or a recruiter's `country` factor. */
  routes: z.array(InherentRoute).optional(),
})

/** Rubric 2026.2: a capped group of factors and what its cap removed. */
export const InherentGroupScore = z.object({
  id: z.string(),
  label: z.string(),
  factors: z.array(z.enum(INHERENT_FACTORS)),
  /** The sum of its factors' points. */
  raw: z.number(),
  cap: z.number(),
  /** What the group adds to inherent risk: min(raw, cap). */
  points: z.number(),
  removed: z.number(),
})

export const RedFlagItem = z.object({
  question: z.string(),
  section: z.string(),
  questionText: z.string(),
  choice: z.string(),
  answerLabel: z.string(),
  indicator: z.enum(INDICATOR_KEYS),
  indicatorLabel: z.string(),
  why: z.string(),
  status: z.enum(['active', 'downgraded', 'cleared']),
  statusReason: z.string(),
  escalates: z.boolean(),
  action: z.string(),
  timeframe: z.string(),
  days: z.number().int().nullable(),
})

export const SuspectedFlag = z.object({
  question: z.string().nullable(),
  indicator: z.enum(INDICATOR_KEYS).nullable(),
  reason: z.string(),
  /** Raised by a consistency rule of the rubric (2026.2), not by a reviewer: the rule's id. */
  rule: z.string().optional(),
  /** A rule's flag: the answers that contradict each other, as "A3.1: No, and we checked …". */
  answers: z.array(z.string()).optional(),
  /** A rule's flag: open until a reviewer clears it (no floor) or confirms it (a red flag). */
  status: z.enum(['open', 'cleared', 'confirmed']).optional(),
  check: z.string().optional(),
})

export const Gap = z.object({
  question: z.string(),
  section: z.string(),
  sectionTitle: z.string(),
  questionText: z.string(),
  answer: z.union([z.string(), z.number(), z.array(z.string())]).nullable(),
  answerLabel: z.string(),
  credit: z.number(),
  severity: z.enum(SEVERITIES),
  redFlag: z.boolean(),
  /** For a red-flag answer: still active, downgraded under a repayment plan, or cleared by evidenced repayment. */
  redFlagStatus: z.enum(['active', 'downgraded', 'cleared']).nullable(),
  dontKnow: z.boolean(),
  gapType: z.enum(GAP_TYPE_KEYS).nullable(),
  action: z.string(),
  timeframe: z.string(),
  days: z.number().int().nullable(),
  sources: z.array(z.string()),
})

/** A brand's due-diligence maturity (scoring.md §14): present for the brand questionnaire under rubric 2026.2. */
export const Maturity = z.object({
  steps: z.array(
    z.object({
      step: z.string(),
      title: z.string(),
      /** Severity-weighted credit of the step's applicable questions, 0–100; null when none applies. */
      score: z.number().nullable(),
      grade: z.string().nullable(),
      earned: z.number(),
      possible: z.number(),
      /** The questions counted, in questionnaire order. */
      questions: z.array(z.string()),
      basis: z.string(),
    }),
  ),
  exposure: z.object({
    /** The sourcing question, or null when the questionnaire has none. */
    question: z.string().nullable(),
    /** Spend-weighted mean of the rows' points; null when no row is given. */
    score: z.number().nullable(),
    band: z.enum(INHERENT_BANDS),
    /** The shares of spend given, added up (percent). */
    shareTotal: z.number(),
    /** Percent of the spend given that sits in rows at or above the high band; null when no row is given. */
    highShare: z.number().nullable(),
    rows: z.array(
      z.object({
        country: z.string(),
        countryName: z.string(),
        share: z.number(),
        sector: z.string(),
        sectorLabel: z.string(),
        countryPoints: z.number(),
        countryBasis: z.string(),
        sectorPoints: z.number(),
        sectorBasis: z.string(),
        points: z.number(),
      }),
    ),
    /** Said when the answer needs correcting (shares above 100%). */
    warning: z.string().nullable(),
  }),
  explanation: z.string(),
})

export const ScoreResult = z.object({
  questionnaire: z.object({ id: z.string(), version: z.string(), hash: z.string() }),
  rubric: z.object({ id: z.string(), version: z.string(), hash: z.string() }),
  rating: Rating,
  ratingExplanation: z.object({
    matrix: z.object({
      inherentBand: z.enum(INHERENT_BANDS),
      controlBand: z.enum(CONTROL_BANDS),
      rating: Rating,
      /** 2026.2: the matrix row read, when it is not the inherent band (every required claim verified). */
      row: z.enum(INHERENT_BANDS).optional(),
    }),
    floors: z.array(z.object({ rating: Rating, reason: z.string() })),
  }),
  control: z.object({
    overall: z.number().nullable(),
    band: z.enum(CONTROL_BANDS),
    sections: z.array(SectionScore),
    explanation: z.string(),
  }),
  inherent: z.object({
    score: z.number(),
    /** Rubric 2026.2: the priority of verification (scoring.md §4.7), as well as the row of the matrix. */
    band: z.enum(INHERENT_BANDS),
    /** The sum before the overall cap (after group caps, when the rubric has groups). */
    uncapped: z.number(),
    factors: z.array(InherentFactor),
    /** Rubric 2026.2: the capped groups. */
    groups: z.array(InherentGroupScore).optional(),
    /** Rubric 2026.2: the sum written out, and what the band means for verification. */
    explanation: z.string().optional(),
  }),
  redFlags: z.array(RedFlagItem),
  /** Rubric 2026.2: how much of what the rating rests on is proven (scoring.md §5.1). */
  verification: z
    .object({
      /** Applicable questions of the required severities. */
      required: z.number().int(),
      verified: z.number().int(),
      /** The required questions not verified, in questionnaire order. */
      unverified: z.array(z.string()),
      /** The rule that applied to the rating, in words. */
      rule: z.string(),
      /** Shown beside the rating when it rests on unverified claims. */
      caution: z.string().nullable(),
    })
    .optional(),
  suspectedFlags: z.array(SuspectedFlag),
  gaps: z.array(Gap),
  confidence: z.object({
    level: z.enum(['high', 'medium', 'low']),
    applicable: z.number().int(),
    dontKnow: z.number().int(),
    unverified: z.number().int(),
    dontKnowShare: z.number(),
    unverifiedShare: z.number(),
  }),
  maturity: Maturity.optional(),
})
export type ScoreResult = z.infer<typeof ScoreResult>
export type QuestionScore = z.infer<typeof QuestionScore>
export type SectionScore = z.infer<typeof SectionScore>
export type RedFlagItem = z.infer<typeof RedFlagItem>
export type Gap = z.infer<typeof Gap>
export type InherentFactor = z.infer<typeof InherentFactor>
export type Maturity = z.infer<typeof Maturity>
