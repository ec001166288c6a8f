import { type Kysely, type MigrationResultSet, Migrator } from 'kysely'
import { migrations } from '../../migrations/index.ts'

/**
 * Migrations come from a static map rather than a folder scan, so they run identically under tsx,
 * vitest and the compiled dist/ (a folder scan would try to import .ts files at run time).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are frozen in time and typed as Kysely<any>
export function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } })
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly results: MigrationResultSet['results'],
  ) {
    super(message)
    this.name = 'MigrationError'
  }
}

function check(set: MigrationResultSet): string[] {
  if (set.error) {
    const failed = set.results?.find((r) => r.status === 'Error')
    const reason = set.error instanceof Error ? set.error.message : String(set.error)
    throw new MigrationError(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${reason}`, set.results)
  }
  return (set.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return check(await createMigrator(db).migrateToLatest())
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export async function migrateDown(db: Kysely<any>): Promise<string[]> {
  return check(await createMigrator(db).migrateDown())
}

/** Names of migrations that exist in code but have not run on this database. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const all = await createMigrator(db).getMigrations()
  return all.filter((m) => !m.executedAt).map((m) => m.name)
}
