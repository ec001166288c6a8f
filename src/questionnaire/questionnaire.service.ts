import type { Kysely } from 'kysely'
import type { Database } from '../db/database.ts'
import { inTransaction } from '../db/transaction.ts'
import type { LoadedQuestionnaire } from './loader.ts'
import { type CompiledQuestionnaire, compileQuestionnaire } from './model.ts'
import * as repo from './questionnaire.repository.ts'
import type { QuestionnaireFile } from './questionnaire.schema.ts'
import type { QuestionnaireVersionRow } from './questionnaire.table.ts'

export type SyncedQuestionnaire = { id: string; revision: number; hash: string; created: boolean; file: string }

/**
 * Stores each loaded file as an immutable version keyed by its content hash and marks it current.
 * An unchanged file finds its existing version; a changed one becomes the next revision.
 */
export async function storeQuestionnaires(
  db: Kysely<Database>,
  loaded: LoadedQuestionnaire[],
  now: Date = new Date(),
  options: { current?: boolean } = {},
): Promise<SyncedQuestionnaire[]> {
  // Archived versions (questionnaires/archive/) are stored so that old assessments and snapshots can be read on
  // a fresh install, but never made current.
  const makeCurrent = options.current ?? true
  return inTransaction(db, async (trx) => {
    const out: SyncedQuestionnaire[] = []
    for (const q of loaded) {
      let row = await repo.findVersionByHash(trx, q.def.id, q.hash)
      const created = !row
      if (!row) {
        row = await repo.insertVersion(trx, {
          questionnaire_id: q.def.id,
          revision: await repo.nextRevision(trx, q.def.id),
          declared_version: q.def.version,
          content_hash: q.hash,
          title: typeof q.def.title === 'string' ? q.def.title : (q.def.title.en ?? q.def.id),
          definition: JSON.stringify(q.def),
          source_file: q.file,
          created_at: now.toISOString(),
        })
      }
      if (makeCurrent) await repo.setCurrent(trx, q.def.id, row.id)
      out.push({ id: q.def.id, revision: row.revision, hash: q.hash, created, file: q.file })
    }
    return out
  })
}

export type QuestionnaireVersion = {
  versionId: number
  id: string
  revision: number
  version: string
  contentHash: string
  createdAt: string
  def: QuestionnaireFile
}

function toVersion(row: QuestionnaireVersionRow): QuestionnaireVersion {
  return {
    versionId: row.id,
    id: row.questionnaire_id,
    revision: row.revision,
    version: row.declared_version,
    contentHash: row.content_hash,
    createdAt: row.created_at,
    def: JSON.parse(row.definition) as QuestionnaireFile,
  }
}

export class VersionNotFound extends Error {
  constructor(
    readonly questionnaireId: string,
    readonly requested: string | undefined,
    readonly known: number[],
  ) {
    super(
      requested === undefined
        ? `questionnaire "${questionnaireId}" not found`
        : `questionnaire "${questionnaireId}" has no version "${requested}"` +
            (known.length
              ? ` (known revisions: ${known.join(', ')}; a content hash prefix of 8+ characters also works)`
              : ''),
    )
    this.name = 'VersionNotFound'
  }
}

/**
 * Finds a version: the current one, a revision number ("2"), or a content-hash prefix of at least
 * eight hex characters. Throws VersionNotFound with what does exist.
 */
export async function getQuestionnaireVersion(
  db: Kysely<Database>,
  id: string,
  version?: string,
): Promise<QuestionnaireVersion> {
  let row: QuestionnaireVersionRow | undefined
  if (version === undefined || version === '' || version === 'latest') {
    row = await repo.findCurrent(db, id)
  } else if (/^\d+$/.test(version)) {
    row = await repo.findVersionByRevision(db, id, Number(version))
  } else if (/^[0-9a-f]{8,64}$/i.test(version)) {
    const rows = await repo.findVersionsByHashPrefix(db, id, version.toLowerCase())
    if (rows.length === 1) row = rows[0]
  }
  if (!row) {
    const known = (await repo.listVersions(db, id)).map((v) => v.revision)
    throw new VersionNotFound(id, known.length === 0 && version === undefined ? undefined : version, known)
  }
  return toVersion(row)
}

export async function listQuestionnaires(db: Kysely<Database>): Promise<QuestionnaireVersion[]> {
  return (await repo.listCurrent(db)).map(toVersion)
}

export async function listQuestionnaireVersions(db: Kysely<Database>, id: string) {
  return repo.listVersions(db, id)
}

/** Versions are immutable, so their compiled form is cached by content hash for the life of the process. */
const compiled = new Map<string, CompiledQuestionnaire>()
export function compiledVersion(v: QuestionnaireVersion): CompiledQuestionnaire {
  let c = compiled.get(v.contentHash)
  if (!c) {
    c = compileQuestionnaire(v.def)
    compiled.set(v.contentHash, c)
  }
  return c
}

/**
 * A stored version by its id (an assessment pins one). Stored versions never change: one read per database
 * and version id for the life of the process.
 */
export async function versionById(db: Kysely<Database>, versionId: number): Promise<QuestionnaireVersion> {
  let perDb = versionsByDb.get(db)
  if (!perDb) {
    perDb = new Map()
    versionsByDb.set(db, perDb)
  }
  const hit = perDb.get(versionId)
  if (hit) return hit
  const row = await repo.findVersionById(db, versionId)
  if (!row) throw new Error(`no questionnaire version ${versionId}`)
  const v = toVersion(row)
  perDb.set(versionId, v)
  return v
}
const versionsByDb = new WeakMap<object, Map<number, QuestionnaireVersion>>()
