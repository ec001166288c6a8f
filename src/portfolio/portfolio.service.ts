import { type Kysely, sql } from 'kysely'
import type { Principal } from '../access/principal.ts'
import { requireOrgKind } from '../access/principal.ts'
import * as policy from '../assessment/sharing.policy.ts'
import type { Database } from '../db/database.ts'
import { openRedFlagCount } from '../scoring/open-red-flags.ts'
import type { ScoreResult } from '../scoring/result.schema.ts'
import { ofReviewer } from '../scoring/score.service.ts'

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

/** Every supplier on the brand's list with its latest visible assessment and score snapshot, by name. */
function portfolioQuery(db: Kysely<Database>, p: Principal, today: string) {
  requireOrgKind(p, 'brand')
  return (
    db
      .selectFrom('brand_supplier as bs')
      .innerJoin('organisation as o', 'o.id', 'bs.supplier_id')
      // The latest assessment of this supplier that the brand requested or was shared, not revoked.
      .leftJoin(
        (eb) =>
          eb
            .selectFrom('assessment as a')
            .innerJoin('assessment_access as acc', 'acc.assessment_id', 'a.id')
            .select(['a.organisation_id', (e) => e.fn.max('a.id').as('assessment_id')])
            .where('acc.organisation_id', '=', p.organisationId)
            .where('acc.revoked_at', 'is', null)
            .groupBy('a.organisation_id')
            .as('la'),
        (join) => join.onRef('la.organisation_id', '=', 'o.id'),
      )
      .leftJoin('assessment as a', 'a.id', 'la.assessment_id')
      .leftJoin('organisation as rb', 'rb.id', 'a.requested_by')
      .leftJoin('questionnaire_version as qv', 'qv.id', 'a.questionnaire_version_id')
      .leftJoin(
        (eb) =>
          eb
            .selectFrom('score_snapshot')
            .select(['assessment_id', (e) => e.fn.max('id').as('snapshot_id')])
            // The brand's own reviewed score, else the self-assessed one; never another brand's review.
            .where((e) => ofReviewer(e, p.organisationId))
            .groupBy('assessment_id')
            .as('ls'),
        (join) => join.onRef('ls.assessment_id', '=', 'a.id'),
      )
      .leftJoin('score_snapshot as s', 's.id', 'ls.snapshot_id')
      .select([
        'o.id as supplier_id',
        'o.name',
        'o.kind',
        'o.country',
        'o.sector',
        'bs.internal_code',
        'bs.tier',
        'a.id as assessment_id',
        'a.title',
        'a.requested_by',
        'rb.name as requested_by_name',
        'a.status',
        'a.due_date',
        'a.submitted_at',
        'a.reviewed_at',
        'a.decline_reason',
        'qv.questionnaire_id',
        'qv.declared_version',
        's.created_at as scored_at',
        (eb) =>
          eb
            .selectFrom('action_item as ai')
            .select(sql<number>`count(*)`.as('n'))
            .whereRef('ai.assessment_id', '=', 'a.id')
            .where('ai.status', 'in', ['open', 'in_progress'])
            .as('open_actions'),
        (eb) =>
          eb
            .selectFrom('action_item as ai')
            .select(sql<number>`count(*)`.as('n'))
            .whereRef('ai.assessment_id', '=', 'a.id')
            .where('ai.status', 'in', ['open', 'in_progress'])
            .where('ai.due_date', '<', today)
            .as('overdue_actions'),
      ])
      .where('bs.brand_id', '=', p.organisationId)
      .orderBy('o.name')
  )
}

type Row = Awaited<ReturnType<ReturnType<typeof portfolioQuery>['executeTakeFirstOrThrow']>>

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
  db: Kysely<Database>,
  p: Principal,
  today = new Date().toISOString().slice(0, 10),
): AsyncGenerator<PortfolioEntry> {
  const rows = portfolioQuery(db, p, today).select('s.result').stream(200)
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
  db: Kysely<Database>,
  p: Principal,
  today = new Date().toISOString().slice(0, 10),
): AsyncGenerator<PortfolioPageEntry> {
  for await (const e of portfolioStream(db, p, today)) yield { ...e, result: e.result ? summarise(e.result) : null }
}
