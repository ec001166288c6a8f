import type { PortfolioPageEntry } from '../../portfolio/portfolio.service.ts'
import type { ExportView } from '../../portfolio/portfolio-export.service.ts'
import type { SnapshotRow } from './assessments.ts'
import { type Page, viewModel } from './page.ts'

/** views/pages/portfolio/index.eta: a brand's suppliers with filters and a supplier × section heat map. */
export type PortfolioPage = Page & {
  /** One page of the suppliers that match the filters. */
  rows: PortfolioPageEntry[]
  /** Suppliers before filtering. */
  total: number
  /** Suppliers that match the filters, on every page. */
  matching: number
  /** The rows' positions among those (1-based; 0 and 0 when nothing matches). */
  from: number
  to: number
  pagination: Pagination
  filters: PortfolioFilters
  countries: { id: string; name: string }[]
  sectors: string[]
  ratings: readonly string[]
  /** The statuses the filter offers (assessment/lifecycle.ts). */
  statuses: readonly string[]
  /** Heat map columns. */
  sections: { id: string; title: string }[]
}
export const portfolioPage = viewModel<PortfolioPage>()

export type PortfolioFilters = { country?: string; sector?: string; rating?: string; status?: string; sort: string }

export type Pagination = {
  page: number
  pages: number
  previous: string | null
  next: string | null
  /** The first and last pages and those around the current one; null stands for the pages left out. */
  links: ({ page: number; href: string; current: boolean } | null)[]
}

/** The address of one page of the portfolio with the same filters and sort. */
export function portfolioHref(f: PortfolioFilters, page: number): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(f)) if (v) q.set(k, v)
  if (page > 1) q.set('page', String(page))
  const s = q.toString()
  return s ? `/portfolio?${s}` : '/portfolio'
}

export function pageLinks(f: PortfolioFilters, page: number, pages: number): Pagination {
  const shown = new Set([1, pages, page - 2, page - 1, page, page + 1, page + 2].filter((n) => n >= 1 && n <= pages))
  const links: Pagination['links'] = []
  let last = 0
  for (const n of [...shown].sort((a, b) => a - b)) {
    if (n > last + 1) links.push(null)
    links.push({ page: n, href: portfolioHref(f, n), current: n === page })
    last = n
  }
  return {
    page,
    pages,
    previous: page > 1 ? portfolioHref(f, page - 1) : null,
    next: page < pages ? portfolioHref(f, page + 1) : null,
    links,
  }
}

/** views/pages/portfolio/supplier.eta: one supplier, its score over time and its assessments. */
export type SupplierPage = Page & {
  org: {
    name: string
    kind: string
    country: string | null
    internal_code: string | null
    tier: number | null
  }
  snapshots: SnapshotRow[]
  assessments: {
    id: number
    title: string
    status: string
    decline_reason: string | null
    due_date: string | null
    access: string
    revoked_at: string | null
  }[]
}
export const supplierPage = viewModel<SupplierPage>()

/**
 * views/pages/portfolio/exports.eta: the brand's background exports (`current` null), or one export with its
 * progress and download link.
 */
export type PortfolioExportsPage = Page & {
  exports: ExportView[]
  current: ExportView | null
  /** Admins and analysts may ask for an export; every member of the brand may follow and download one. */
  canRequest: boolean
  retentionHours: number
}
export const portfolioExportsPage = viewModel<PortfolioExportsPage>()
