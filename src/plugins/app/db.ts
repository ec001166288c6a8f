import type SQLite from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type Db, openDatabase } from '../../db/connection.ts'
import type { Engine } from '../../db/engine.ts'
import { migrateToLatest } from '../../db/migrator.ts'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    /** Which engine the database runs on. */
    engine: Engine
    /** The raw SQLite connection; null on PostgreSQL. */
    sqlite: SQLite.Database | null
  }
}

/** Opens the database, brings it to the latest migration, and closes it last when the app closes. */
export default fp(
  async (app: FastifyInstance) => {
    const { db, engine, sqlite } = openDatabase(app.config.database, { logSql: app.config.logSql })
    try {
      const applied = await migrateToLatest(db)
      if (applied.length > 0) app.log.info({ applied }, 'database migrated')
    } catch (err) {
      await db.destroy()
      throw err
    }
    app.decorate('db', db)
    app.decorate('engine', engine)
    app.decorate('sqlite', sqlite)
    app.addHook('onClose', async () => {
      await db.destroy()
    })
  },
  { name: 'db', dependencies: ['config'] },
)
