import type SQLite from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createDb, type Db } from '../../db/connection.ts'
import { migrateToLatest } from '../../db/migrator.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    sqlite: SQLite.Database
  }
}

/** Opens the database, brings it to the latest migration, and closes it last when the app closes. */
export default fp(
  async (app: FastifyInstance) => {
    const { db, sqlite } = createDb(app.config.databasePath, { logSql: app.config.logSql })
    try {
      const applied = await migrateToLatest(db)
      if (applied.length > 0) app.log.info({ applied }, 'database migrated')
    } catch (err) {
      await db.destroy()
      throw err
    }
    app.decorate('db', db)
    app.decorate('sqlite', sqlite)
    app.addHook('onClose', async () => {
      await db.destroy()
    })
  },
  { name: 'db', dependencies: ['config'] },
)
