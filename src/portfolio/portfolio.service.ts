import type { Principal } from '../access/principal.ts'
import { requireOrgKind } from '../access/principal.ts'
import * as policy from '../assessment/sharing.policy.ts'
import type { Conn } from '../db/database.ts'
import { readSnapshot } from '../db/transaction.ts'
import { versionById } from '../questionnaire/questionnaire.service.ts'
import { t } from '../questionnaire/text.ts'
import type { ScoreResult } from '../scoring/result.schema.ts'
import { type ScoreSummary, type SummaryColumns, summaryOf } from '../scoring/score-summary.ts'
import type { PortfolioFilter, PortfolioSort } from './portfolio.repository.ts'
import * as repo from './portfolio.repository.ts'

/**
 * A brand's portfolio: every supplier and recruiter on its list with the latest assessment the brand
 * may see and that assessment's latest score. The spreadsheet streams every row with its full result,
 * so that an export of thousands of suppliers never holds them all in memory; the page reads one page
 * of the same rows (the same query, portfolio.repository.ts) with the score's stored summary, so their
 * numbers are the same.
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

/**
 * Suppliers per read of the spreadsheet's rows: their stored results are about 60 KB each. Measured at
 * 50,000 suppliers on SQLite, reading every row peaks at ~165 MB RSS in chunks of 100 and ~320 MB in chunks
 * of 200, for the same time.
 */
const EXPORT_CHUNK = 100

/**
 * The portfolio with each supplier's full score (the spreadsheet lists every gap and red flag), by name,
 * from one snapshot of the database. The order is read first (ids only), then the rows a chunk at a time:
 * one query ordering every row with its result would have the database sort gigabytes of JSON.
 */
export async function* portfolioStream(
  db: Conn,
  p: Principal,
  today = new Date().toISOString().slice(0, 10),
): AsyncGenerator<PortfolioEntry> {
  requireOrgKind(p, 'brand')
  const brand = p.organisationId
  yield* readSnapshot(db, async function* (trx) {
    const ids = await repo.portfolioOrder(trx, brand)
    for (let i = 0; i < ids.length; i += EXPORT_CHUNK) {
      const chunk = ids.slice(i, i + EXPORT_CHUNK)
      const rows = await repo.portfolioQuery(trx, brand, today, chunk).select('s.result').execute()
      const byId = new Map(rows.map((r) => [r.supplier_id, r]))
      for (const id of chunk) {
        const r = byId.get(id)
        // Gone since the order was read: only possible outside a snapshot, which readSnapshot rules out.
        if (!r) continue
        byId.delete(id)
        yield entryOf(r, p, r.result ? (JSON.parse(r.result) as ScoreResult) : null)
      }
    }
  })
}

/** What the portfolio page shows of a score: its stored summary. */
export type PortfolioSummary = ScoreSummary
export type PortfolioPageEntry = Omit<PortfolioEntry, 'result'> & { result: PortfolioSummary | null }

export const PAGE_SIZE = 50

export type PortfolioPageQuery = { filter: PortfolioFilter; sort: PortfolioSort; page: number }

export type PortfolioPageData = {
  rows: PortfolioPageEntry[]
  /** Suppliers on the list that match the filter. */
  matching: number
  /** Suppliers on the list. */
  total: number
  /** The page shown (1-based; a page past the last shows the last) and how many there are. */
  page: number
  pages: number
  pageSize: number
  countries: string[]
  sectors: string[]
  /** Heat map columns: the sections the page's scores have, in the order first met. */
  sections: { id: string; title: string }[]
}

/**
 * One page of a brand's portfolio: filters, sort and paging in SQL, the numbers from each snapshot's
 * stored summary. Thousands of suppliers cost a few index lookups each, and only one page of rows is
 * read whole.
 */
export async function portfolioPage(
  db: Conn,
  p: Principal,
  q: PortfolioPageQuery,
  today = new Date().toISOString().slice(0, 10),
): Promise<PortfolioPageData> {
  requireOrgKind(p, 'brand')
  const brand = p.organisationId
  const facts = await repo.listFacts(db, brand)
  let page = Math.max(1, q.page)
  let found = await repo.portfolioPageIds(db, brand, today, q.filter, q.sort, PAGE_SIZE, (page - 1) * PAGE_SIZE)
  let matching = found.matching
  if (matching === null) {
    // Past the last page (or nothing matches): show the last page there is.
    matching = await repo.portfolioCount(db, brand, q.filter)
    const last = Math.max(1, Math.ceil(matching / PAGE_SIZE))
    if (page > last && matching > 0) {
      page = last
      found = await repo.portfolioPageIds(db, brand, today, q.filter, q.sort, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    } else page = Math.min(page, last)
  }
  const order = new Map(found.ids.map((id, i) => [id, i]))
  const pageRows = (await repo.portfolioQuery(db, brand, today, found.ids).execute()).sort(
    (a, b) => (order.get(a.supplier_id) ?? 0) - (order.get(b.supplier_id) ?? 0),
  )
  const rows = pageRows.map((r) => entryOf(r, p, r.rating === null ? null : summaryOf(r as SummaryColumns)))
  // Heat map columns: the sections the page's scores have, titled as their questionnaire version does.
  const titles = new Map<string, string>()
  for (const versionId of new Set(pageRows.map((r) => r.questionnaire_version_id)))
    if (versionId !== null)
      for (const s of (await versionById(db, versionId)).def.sections) titles.set(s.id, t(s.title))
  const sections: { id: string; title: string }[] = []
  const seen = new Set<string>()
  for (const e of rows)
    for (const s of e.result?.control.sections ?? [])
      if (!seen.has(s.id)) {
        seen.add(s.id)
        sections.push({ id: s.id, title: titles.get(s.id) ?? s.id })
      }
  return {
    rows,
    matching,
    total: facts.total,
    page,
    pages: Math.max(1, Math.ceil(matching / PAGE_SIZE)),
    pageSize: PAGE_SIZE,
    countries: facts.countries,
    sectors: facts.sectors,
    sections,
  }
}
