import { basename, join } from 'node:path'
import type { Kysely } from 'kysely'
import type { Database } from '../db/database.ts'
import { inTransaction } from '../db/transaction.ts'
import { enqueue } from '../jobs/job.service.ts'
import type { JobKind } from '../jobs/kinds.ts'
import type { QuestionnaireFile } from '../questionnaire/questionnaire.schema.ts'
import { checkRubricAgainst, hashRubric, loadRubricFile, RubricError, rubricFiles } from './rubric.loader.ts'
import * as repo from './rubric.repository.ts'
import type { Rubric } from './rubric.schema.ts'

export const DEFAULT_RUBRIC_ID = 'default'

export type RubricVersion = {
  versionId: number
  id: string
  revision: number
  version: string
  hash: string
  origin: string
  createdAt: string
  rubric: Rubric
}

export type StoredRubric = {
  id: string
  revision: number
  created: boolean
  versionId: number
  /** The re-score job queued because this version replaced another as current (null: nothing to re-score). */
  rescoreJobId: number | null
}

/** The job that re-scores stored scores after a rubric change (assessment/rescore.service.ts). */
export const RESCORE_KIND = 'rescore' satisfies JobKind

/**
 * Stores a rubric as an immutable version. `makeCurrent: 'always'` for an administrator's import;
 * `'if-new'` for the shipped files at start-up, so a restart never undoes an import.
 */
export async function storeRubric(
  db: Kysely<Database>,
  rubric: Rubric,
  origin: string,
  makeCurrent: 'always' | 'if-new' | 'never',
  now: Date = new Date(),
): Promise<StoredRubric> {
  const hash = hashRubric(rubric)
  return inTransaction(db, async (trx) => {
    let row = await repo.findByHash(trx, rubric.id, hash)
    const created = !row
    if (!row) {
      const { countries, ...countryMeta } = rubric.inherent.country
      const definition = { ...rubric, inherent: { ...rubric.inherent, country: { ...countryMeta, countries: [] } } }
      row = await repo.insertVersion(trx, {
        rubric_id: rubric.id,
        revision: await repo.nextRevision(trx, rubric.id),
        declared_version: rubric.version,
        content_hash: hash,
        title: rubric.title,
        definition: JSON.stringify(definition),
        country_source: countryMeta.source,
        country_year: countryMeta.year,
        origin,
        created_at: now.toISOString(),
      })
      await repo.insertCountries(trx, row.id, countries)
    }
    const current = await repo.findCurrentId(trx, rubric.id)
    let rescoreJobId: number | null = null
    if (makeCurrent !== 'never' && (makeCurrent === 'always' || created || !current)) {
      await repo.setCurrent(trx, rubric.id, row.id)
      // Scores made with the version it replaces are re-scored in the background; queued in this transaction,
      // so a rubric never becomes current without its re-score. One queued re-score per version (dedupe key).
      if (current && current.version_id !== row.id) {
        const { job } = await enqueue(
          trx,
          RESCORE_KIND,
          { rubricId: rubric.id, versionId: row.id },
          { dedupeKey: `${RESCORE_KIND}:${row.id}`, now },
        )
        rescoreJobId = job.id
      }
    }
    return { id: rubric.id, revision: row.revision, created, versionId: row.id, rescoreJobId }
  })
}

/** Loads the shipped rubric files, checks them against the questionnaires, and stores them. */
export async function syncRubricDir(
  db: Kysely<Database>,
  dir: string,
  questionnaires: QuestionnaireFile[],
): Promise<StoredRubric[]> {
  const out: StoredRubric[] = []
  // Archived versions first (rubrics/archive/, never current): a fresh install can still read and re-score
  // with them. They are checked against the questionnaire versions of their time, not today's.
  for (const file of rubricFiles(join(dir, 'archive'))) {
    out.push(await storeRubric(db, loadRubricFile(file, dir), `file:archive/${basename(file)}`, 'never'))
  }
  for (const file of rubricFiles(dir)) {
    const rubric = loadRubricFile(file, dir)
    const problems = checkRubricAgainst(rubric, questionnaires)
    if (problems.length > 0) throw new RubricError(file, problems)
    out.push(await storeRubric(db, rubric, `file:${file.split('/').slice(-1)[0]}`, 'if-new'))
  }
  return out
}

export class RubricNotFound extends Error {
  constructor(what: string) {
    super(what)
    this.name = 'RubricNotFound'
  }
}

const cache = new Map<string, Rubric>()

/** Reassembles a stored rubric; versions are immutable, so the result is cached by content hash. */
async function toVersion(
  db: Kysely<Database>,
  row: NonNullable<Awaited<ReturnType<typeof repo.findById>>>,
): Promise<RubricVersion> {
  let rubric = cache.get(row.content_hash)
  if (!rubric) {
    const def = JSON.parse(row.definition) as Rubric
    const rows = await repo.countries(db, row.id)
    def.inherent.country.countries = rows.map((c) => ({
      code: c.country_code,
      name: c.country_name,
      points: c.points,
      basis: c.basis,
    }))
    rubric = def
    cache.set(row.content_hash, rubric)
  }
  return {
    versionId: row.id,
    id: row.rubric_id,
    revision: row.revision,
    version: row.declared_version,
    hash: row.content_hash,
    origin: row.origin,
    createdAt: row.created_at,
    rubric,
  }
}

/** "default", "default@2", or nothing (the current default rubric). */
export async function getRubricVersion(db: Kysely<Database>, spec?: string): Promise<RubricVersion> {
  const [id, rev] = (spec && spec.length > 0 ? spec : DEFAULT_RUBRIC_ID).split('@') as [string, string | undefined]
  let row: Awaited<ReturnType<typeof repo.findById>>
  if (rev === undefined || rev === 'latest') {
    const current = await repo.findCurrentId(db, id)
    row = current ? await repo.findById(db, current.version_id) : undefined
  } else if (/^\d+$/.test(rev)) {
    row = await repo.findByRevision(db, id, Number(rev))
  }
  if (!row)
    throw new RubricNotFound(
      `rubric "${spec ?? id}" not found (write an id such as "default", or id@revision such as "default@1")`,
    )
  return toVersion(db, row)
}

export async function getRubricVersionById(db: Kysely<Database>, versionId: number): Promise<RubricVersion> {
  const row = await repo.findById(db, versionId)
  if (!row) throw new RubricNotFound(`rubric version ${versionId} not found`)
  return toVersion(db, row)
}

export function listRubrics(db: Kysely<Database>) {
  return repo.listAll(db)
}
