import { createWriteStream, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { Principal } from '../access/principal.ts'
import * as repo from '../assessment/assessment.repository.ts'
import { gapReportBuffer } from '../assessment/report.service.ts'
import { supplierCount } from '../portfolio/portfolio.repository.ts'
import { employerSections, portfolioRows } from '../portfolio/portfolio-export.ts'
import { getQuestionnaireVersion } from '../questionnaire/questionnaire.service.ts'
import { writePortfolioCsvZip } from '../reports/portfolio/csv-zip.ts'
import { writePortfolio } from '../reports/portfolio/write.ts'
import { type Command, UsageError } from './command.ts'
import { withDatabase } from './db-context.ts'
import { progress } from './progress.ts'

/**
 * The command line is the server operator's: it reads an assessment as its own organisation's
 * administrator would, so every report made here is one that organisation could download itself.
 */
async function ownerPrincipal(
  db: Parameters<Parameters<typeof withDatabase>[0]>[0],
  assessmentId: number,
): Promise<Principal> {
  const row = await repo.ownerOf(db, assessmentId)
  if (!row) throw new UsageError(`there is no assessment ${assessmentId}`)
  return {
    kind: 'user',
    userId: null,
    tokenId: null,
    organisationId: row.id,
    organisationKind: row.kind,
    organisationName: row.name,
    role: 'admin',
    name: 'command line',
    email: null,
  }
}

export const exportGapReportCommand: Command = {
  name: 'export gap-report',
  summary: 'write the gap report workbook of one assessment',
  usage: 'fairhire export gap-report --assessment <id> --out <file.xlsx>',
  async run(args) {
    const { values } = parseArgs({ args, options: { assessment: { type: 'string' }, out: { type: 'string' } } })
    const id = Number(values.assessment)
    if (!Number.isInteger(id) || id <= 0) throw new UsageError('--assessment must be an assessment id (a whole number)')
    if (!values.out) throw new UsageError('--out is required: where to write the workbook')
    return withDatabase(async (db) => {
      const p = await ownerPrincipal(db, id)
      const { data } = await gapReportBuffer(db, p, id)
      writeFileSync(values.out as string, data)
      process.stdout.write(`wrote ${values.out} (${data.length} bytes)\n`)
      return 0
    })
  },
}

export const exportPortfolioCommand: Command = {
  name: 'export portfolio',
  summary:
    "write a brand's portfolio risk spreadsheet, or its lists as CSV files in a zip (the brand may be left out when there is only one)",
  usage: 'fairhire export portfolio [--brand <organisation id>] [--format xlsx|csv-zip] --out <file>',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { brand: { type: 'string' }, out: { type: 'string' }, format: { type: 'string', default: 'xlsx' } },
    })
    if (values.format !== 'xlsx' && values.format !== 'csv-zip')
      throw new UsageError('--format must be xlsx (one workbook) or csv-zip (each list as a CSV file, in a zip)')
    if (!values.out) throw new UsageError('--out is required: where to write the file')
    return withDatabase(async (db) => {
      const brands = await repo.listBrands(db, 'id')
      const brand = values.brand
        ? brands.find((b) => String(b.id) === values.brand)
        : brands.length === 1
          ? brands[0]
          : undefined
      if (!brand) {
        throw new UsageError(
          values.brand
            ? `there is no brand ${values.brand}`
            : `there are ${brands.length} brands; choose one with --brand (${brands.map((b) => `${b.id} ${b.name}`).join('; ')})`,
        )
      }
      const p: Principal = {
        kind: 'user',
        userId: null,
        tokenId: null,
        organisationId: brand.id,
        organisationKind: 'brand',
        organisationName: brand.name,
        role: 'admin',
        name: 'command line',
        email: null,
      }
      const bar = progress({
        label: 'exporting portfolio',
        unit: 'suppliers',
        total: await supplierCount(db, brand.id),
      })
      let n = 0
      async function* counted() {
        for await (const row of portfolioRows(db, p)) {
          yield row
          bar.update(++n)
        }
      }
      const sections = employerSections(await getQuestionnaireVersion(db, 'employer'))
      const out = createWriteStream(values.out as string)
      const write = values.format === 'csv-zip' ? writePortfolioCsvZip : writePortfolio
      try {
        await write(out, counted(), { brandName: brand.name, generatedAt: new Date(), sections })
      } catch (err) {
        out.destroy()
        throw err
      }
      // The writer ends the stream; wait until the file is closed (it may already be).
      await new Promise<void>((resolve) => (out.closed ? resolve() : out.on('close', () => resolve())))
      bar.finish()
      process.stdout.write(`wrote ${values.out}\n`)
      return 0
    })
  },
}
