import type { Principal } from '../access/principal.ts'
import { requireOrgKind } from '../access/principal.ts'
import * as policy from '../assessment/sharing.policy.ts'
import type { Conn } from '../db/database.ts'
import { openRedFlagCount } from '../scoring/open-red-flags.ts'
import type { ScoreResult } from '../scoring/result.schema.ts'
import * as repo from './portfolio.repository.ts'

/**
 * A brand's portfolio: every supplier and recruiter on its list with the latest assessment the brand
 * may see and that assessment's latest score. Streamed, so that an export of thousands of suppliers
 * never holds them all in memory; the page and the spreadsheet read the same rows, so their numbers
 * are the same.
 */

export type PortfolioEntry = {
  supplier: {
    id: number
    code: string | null
    tier: number | null
    name: string
    kind: string
    country: string | null
    sector: string | null
  }
  assessment: {
    id: number
    title: string
    questionnaire: string
    version: string
    status: string
    dueDate: string | null
    submittedAt: string | null
    reviewedAt: string | null
    /** Why the respondent declined the request (status `declined`). */
    declineReason: string | null
  } | null
  result: ScoreResult | null
  scoredAt: string | null
  openActions: number
  overdueActions: number
}

type Row = repo.PortfolioRow

function entryOf<R>(r: Row, p: Principal, result: R | null) {
  return {
    supplier: {
      id: r.supplier_id,
      code: r.internal_code,
      tier: r.tier,
      name: r.name,
      kind: r.kind,
      country: r.country,
      sector: r.sector,
    },
    assessment:
      r.assessment_id === null
        ? null
        : {
            id: r.assessment_id,
            title: policy.titleFor(
              {
                organisation_id: r.supplier_id,
                requested_by: r.requested_by,
                status: r.status ?? '',
                title: r.title ?? '',
              },
              p,
              r.requested_by_name,
            ),
            questionnaire: r.questionnaire_id ?? '',
            version: r.declared_version ?? '',
            status: r.status ?? '',
            dueDate: r.due_date,
            submittedAt: r.submitted_at,
            reviewedAt: r.reviewed_at,
            declineReason: r.decline_reason,
          },
    result,
    scoredAt: r.scored_at,
    openActions: Number(r.open_actions ?? 0),
    overdueActions: Number(r.overdue_actions ?? 0),
  }
}

/** The portfolio with each supplier's full score (the spreadsheet lists every gap and red flag). */
export async function* portfolioStream(
  db: Conn,
  p: Principal,
  today = new Date().toISOString().slice(0, 10),
): AsyncGenerator<PortfolioEntry> {
  requireOrgKind(p, 'brand')
  const rows = repo.portfolioQuery(db, p.organisationId, today).select('s.result').stream(200)
  for await (const r of rows) yield entryOf(r, p, r.result ? (JSON.parse(r.result) as ScoreResult) : null)
}

/** What the portfolio page shows of a score: SQLite picks it out of the stored result. */
export type PortfolioSummary = {
  rating: ScoreResult['rating']
  control: { overall: number | null; sections: { id: string; title: string; score: number | null }[] }
  inherent: { score: number }
  confidence: { level: ScoreResult['confidence']['level'] }
  activeRedFlags: number
}
export type PortfolioPageEntry = Omit<PortfolioEntry, 'result'> & { result: PortfolioSummary | null }

/** The few numbers of a score the portfolio page shows. */
export function summarise(result: ScoreResult): PortfolioSummary {
  return {
    rating: result.rating,
    control: {
      overall: result.control.overall,
      sections: result.control.sections.map((s) => ({ id: s.id, title: s.title, score: s.score })),
    },
    inherent: { score: result.inherent.score },
    confidence: { level: result.confidence.level },
    activeRedFlags: openRedFlagCount(result),
  }
}

/**
 * The portfolio for the page: the same rows as the spreadsheet, each score cut down to its summary as soon
 * as it is read. A stored result is about 55 KB of JSON; the page holds every supplier at once (to filter and
 * sort), and thousands of whole results would take gigabytes.
 */
export async function* portfolioSummaryStream(
  db: Conn,
  p: Principal,
  today = new Date().toISOString().slice(0, 10),
): AsyncGenerator<PortfolioPageEntry> {
  for await (const e of portfolioStream(db, p, today)) yield { ...e, result: e.result ? summarise(e.result) : null }
}
