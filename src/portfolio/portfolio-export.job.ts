import type { Principal } from '../access/principal.ts'
import * as orgs from '../assessment/assessment.repository.ts'
import type { Db } from '../db/connection.ts'
import { readApart } from '../db/raw.ts'
import { writeJobFile } from '../jobs/job-files.ts'
import type { JobPayloads } from '../jobs/kinds.ts'
import { type JobContext, type JobHandler, PermanentJobError } from '../jobs/worker.ts'
import { getQuestionnaireVersion } from '../questionnaire/questionnaire.service.ts'
import { type PortfolioRow, writePortfolio } from '../reports/portfolio/write.ts'
import { supplierCount } from './portfolio.repository.ts'
import { EXPORT_KIND } from './portfolio-export.service.ts'
import { employerSections, portfolioRows } from './portfolio-export.ts'

type Payload = JobPayloads['portfolio-export']

/** Counts the rows as the writer takes them, reports progress, and stops when the job is told to. */
async function* counted(
  rows: AsyncIterable<PortfolioRow>,
  ctx: JobContext<Payload>,
  total: number,
  seen: { n: number },
): AsyncGenerator<PortfolioRow> {
  for await (const row of rows) {
    ctx.signal.throwIfAborted()
    yield row
    seen.n++
    await ctx.progress(seen.n, Math.max(total, seen.n))
  }
}

/**
 * Writes a brand's portfolio spreadsheet to a file (jobs/job-files.ts), the same workbook GET /portfolio.xlsx
 * streams, read as the brand sees it. Running it again overwrites the file, so a retry is harmless.
 */
export function portfolioExportHandler(o: {
  db: Db
  databasePath: string
  filesDir: string
  retentionHours: number
}): JobHandler<Payload> {
  return {
    kind: EXPORT_KIND,
    async run(ctx) {
      const brandId = ctx.job.organisation_id
      const brand = brandId === null ? undefined : await orgs.findOrganisation(o.db, brandId)
      if (brand?.kind !== 'brand') throw new PermanentJobError('the export names no brand')
      // The brand's view of its portfolio: what its members see on the portfolio page, nothing more.
      const p: Principal = {
        kind: 'user',
        userId: ctx.payload.requestedBy,
        tokenId: null,
        organisationId: brand.id,
        organisationKind: 'brand',
        organisationName: brand.name,
        role: 'analyst',
        name: 'portfolio export',
        email: null,
      }
      const total = await supplierCount(o.db, brand.id)
      await ctx.progress(0, total)
      const generatedAt = ctx.now()
      const sections = employerSections(await getQuestionnaireVersion(o.db, 'employer'))
      const seen = { n: 0 }
      const bytes = await writeJobFile(o.filesDir, ctx.job.id, 'xlsx', (out) =>
        writePortfolio(
          out,
          counted(
            readApart(o.db, o.databasePath, (db) => portfolioRows(db, p)),
            ctx,
            total,
            seen,
          ),
          { brandName: brand.name, generatedAt, sections },
        ),
      )
      await ctx.progress(seen.n, seen.n)
      return {
        result: { fileName: `portfolio-${generatedAt.toISOString().slice(0, 10)}.xlsx`, bytes, suppliers: seen.n },
        expiresAt: new Date(ctx.now().getTime() + o.retentionHours * 60 * 60 * 1000),
      }
    },
  }
}
