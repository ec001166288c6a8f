import type { Generated, Selectable } from 'kysely'

export interface RubricVersionTable {
  id: Generated<number>
  rubric_id: string
  revision: number
  declared_version: string
  content_hash: string
  title: string
  /** The rubric without its country rows, as JSON. */
  definition: string
  country_source: string
  country_year: number
  /** Where it came from: the shipped file, or an import by an administrator. */
  origin: string
  created_at: string
}

export interface RubricCountryRiskTable {
  rubric_version_id: number
  country_code: string
  country_name: string
  points: number | null
  basis: string
}

export interface RubricCurrentTable {
  rubric_id: string
  version_id: number
}

export interface ScoreSnapshotTable {
  id: Generated<number>
  assessment_id: number
  questionnaire_version_id: number
  rubric_version_id: number
  reason: string
  rating: string
  control_score: number | null
  inherent_score: number
  red_flags: number
  /** The full ScoreResult as JSON. */
  result: string
  created_at: string
  /** The brand whose review this scores (its own verifications and flags); null: the respondent's self-assessed score. */
  reviewer_organisation_id: Generated<number | null>
}

export type RubricVersionRow = Selectable<RubricVersionTable>
export type ScoreSnapshotRow = Selectable<ScoreSnapshotTable>

/** The few numbers of a snapshot that lists show (the portfolio), written with the snapshot; immutable like it. */
export interface ScoreSummaryTable {
  snapshot_id: number
  /** Copied from the snapshot, for finding the latest one a reader sees without reading snapshots. */
  assessment_id: number
  reviewer_organisation_id: number | null
  rating: string
  control_overall: number | null
  inherent_score: number
  /** Red flags not cleared (open-red-flags.ts). */
  active_red_flags: number
  gap_count: number
  confidence: string
  /** `[{ id, score }]` per section of the control score, as JSON text (titles are the questionnaire's). */
  sections: string
}
