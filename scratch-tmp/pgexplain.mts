import { sql } from '../node_modules/kysely/dist/esm/index.js'
import { loadConfig } from '/work/wt-portfolio/src/config.ts'
import { openDatabase } from '/work/wt-portfolio/src/db/connection.ts'
import * as repo from '/work/wt-portfolio/src/portfolio/portfolio.repository.ts'
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' })
const { db } = openDatabase(config.database)
const brand = (await db.selectFrom('organisation').select(['id']).where('kind', '=', 'brand').executeTakeFirstOrThrow()).id
let captured: any
const spy = db.withPlugin({ transformQuery: (a) => { captured ??= a.node; return a.node }, transformResult: async (a) => a.result })
await repo.portfolioPageIds(spy, brand, '2026-12-07', JSON.parse(process.env.F ?? '{}'), (process.env.S ?? 'rating') as any, 50, 0)
const compiled = db.getExecutor().compileQuery(captured, { queryId: 'x' } as any)
const r = await sql.raw('explain (analyze) ' + compiled.sql.replace(/\$(\d+)/g, (_, n) => { const v = compiled.parameters[Number(n) - 1]; return typeof v === 'string' ? `'${v}'` : String(v) })).execute(db)
for (const row of r.rows as any[]) console.log(row['QUERY PLAN'])
await db.destroy()
