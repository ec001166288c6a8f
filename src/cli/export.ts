import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { Principal } from '../access/principal.ts'
import { gapReportBuffer } from '../assessment/report.service.ts'
import { type Command, UsageError } from './command.ts'
import { withDatabase } from './db-context.ts'

/**
 * The command line is the server operator's: it reads an assessment as its own organisation's
 * administrator would, so every report made here is one that organisation could download itself.
 */
async function ownerPrincipal(
  db: Parameters<Parameters<typeof withDatabase>[0]>[0],
  assessmentId: number,
): Promise<Principal> {
  const row = await db
    .selectFrom('assessment as a')
    .innerJoin('organisation as o', 'o.id', 'a.organisation_id')
    .select(['o.id', 'o.kind', 'o.name'])
    .where('a.id', '=', assessmentId)
    .executeTakeFirst()
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
