import type { Kysely } from 'kysely'

// Frozen in time: this file must keep working whatever the application code becomes.

/**
 * Sign-in attempts per account (per email address typed, whether or not an account has it), kept in the
 * database so that a restart does not wipe an attacker's count. The address is stored only as a hash.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sign_in_throttle')
    .addColumn('account_hash', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_attempt_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('sign_in_throttle_last_idx').on('sign_in_throttle').column('last_attempt_at').execute()
}

// biome-ignore lint/suspicious/noExplicitAny: migrations do not know the application's types
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sign_in_throttle').execute()
}
