import { openRedFlagCount } from './open-red-flags.ts'
import type { ScoreResult } from './result.schema.ts'
import type { ScoreSummaryTable } from './scoring.table.ts'

/**
 * The few numbers of a score that lists show (the portfolio page): its rating, control and inherent
 * scores, red flags not cleared, confidence and per-section control scores. Stored beside every snapshot
 * (`score_summary`) when the snapshot is stored, so that a list of thousands of suppliers reads a few
 * columns instead of parsing a 60 KB result per supplier. Pure: no database.
 */

export type ScoreSummary = {
  rating: ScoreResult['rating']
  control: { overall: number | null; sections: SectionSummary[] }
  inherent: { score: number }
  confidence: { level: ScoreResult['confidence']['level'] }
  activeRedFlags: number
  gapCount: number
}
/** A section's control score; its title is the questionnaire's (not stored with every summary). */
export type SectionSummary = { id: string; score: number | null }

export function summarise(result: ScoreResult): ScoreSummary {
  return {
    rating: result.rating,
    control: {
      overall: result.control.overall,
      sections: result.control.sections.map((s) => ({ id: s.id, score: s.score })),
    },
    inherent: { score: result.inherent.score },
    confidence: { level: result.confidence.level },
    activeRedFlags: openRedFlagCount(result),
    gapCount: result.gaps.length,
  }
}

/** The stored row of a summary (without the snapshot's id and its copied keys). */
export type SummaryColumns = Omit<ScoreSummaryTable, 'snapshot_id' | 'assessment_id' | 'reviewer_organisation_id'>

export function summaryColumns(s: ScoreSummary): SummaryColumns {
  return {
    rating: s.rating,
    control_overall: s.control.overall,
    inherent_score: s.inherent.score,
    active_red_flags: s.activeRedFlags,
    gap_count: s.gapCount,
    confidence: s.confidence.level,
    sections: JSON.stringify(s.control.sections),
  }
}

/** A stored summary read back (the columns as the portfolio query selects them). */
export function summaryOf(row: SummaryColumns): ScoreSummary {
  return {
    rating: row.rating as ScoreSummary['rating'],
    control: { overall: row.control_overall, sections: JSON.parse(row.sections) as SectionSummary[] },
    inherent: { score: row.inherent_score },
    confidence: { level: row.confidence as ScoreSummary['confidence']['level'] },
    activeRedFlags: row.active_red_flags,
    gapCount: row.gap_count,
  }
}
