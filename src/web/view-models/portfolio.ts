import type { PortfolioPageEntry } from '../../portfolio/portfolio.service.ts'
import type { ExportView } from '../../portfolio/portfolio-export.service.ts'
import type { SnapshotRow } from './assessments.ts'
import { type Page, viewModel } from './page.ts'

/** views/pages/portfolio/index.eta: a brand's suppliers with filters and a supplier × section heat map. */
export type PortfolioPage = Page & {
  rows: PortfolioPageEntry[]
  /** Suppliers before filtering. */
  total: number
  filters: { country?: string; sector?: string; rating?: string; status?: string; sort: string }
  countries: { id: string; name: string }[]
  sectors: string[]
  ratings: readonly string[]
  /** The statuses the filter offers (assessment/lifecycle.ts). */
  statuses: readonly string[]
  /** Heat map columns. */
  sections: { id: string; title: string }[]
}
export const portfolioPage = viewModel<PortfolioPage>()

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
