import { fork } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ExcelJS from 'exceljs'
import { sql } from 'kysely'
import { Pool } from 'pg'
import { migrations } from '../migrations/index.ts'
import type { Principal } from '../src/access/principal.ts'
import { buildApp } from '../src/app.ts'
import { type DatabaseTarget, loadConfig } from '../src/config.ts'
import { type Db, openDatabase } from '../src/db/connection.ts'
import { DEMO_PASSWORD, seedDemo } from '../src/demo/seed.ts'
import { PROJECT_ROOT } from '../src/paths.ts'
import { employerSections, portfolioRows } from '../src/portfolio/portfolio-export.ts'
import { getQuestionnaireVersion } from '../src/questionnaire/questionnaire.service.ts'
import { writePortfolioCsvZip } from '../src/reports/portfolio/csv-zip.ts'
import {
  type Cell,
  GAP_COLUMNS,
  gapCells,
  heatMapCells,
  heatMapColumns,
  keyCells,
  type PortfolioRow,
  RED_FLAG_COLUMNS,
  redFlagCells,
  SUPPLIER_COLUMNS,
  supplierCells,
} from '../src/reports/portfolio/sheets.ts'
import { writePortfolio } from '../src/reports/portfolio/write.ts'
import type { BenchResult } from './report.ts'

/**
 * The portfolio at scale, read from a real database of N generated suppliers (`fairhire demo seed
 * --suppliers N`; 50,000, or 2,000 with --quick), on SQLite and, when FAIRHIRE_BENCH_POSTGRES_URL names a
 * server, on PostgreSQL too:
 *
 * - the portfolio page through the app (routing, SQL, rendering), p50 of filtered and sorted pages;
 * - the exports straight from the database in a fresh child process each (so peak RSS is the export's):
 *   the workbook, the CSV zip, and a bare exceljs WorkbookWriter writing the same cells (no styles,
 *   widths, filters or spool: it reads the database once per sheet instead), plus one plain read of every
 *   row for scale.
 *
 * Seeding 50,000 suppliers takes minutes, so the databases are kept between runs (bench/.data/*.db, and
 * fairhire_bench_portfolio_<N> on the PostgreSQL server) and reused while their migrations are current.
 */

const CHILD = 'FAIRHIRE_PORTFOLIO_SCALE_CHILD'
const LATEST = Object.keys(migrations).sort().at(-1) as string
const MAX_SHEET_ROWS = 1_048_576

type Engine = 'sqlite' | 'postgres'
type Prepared = { engine: Engine; target: DatabaseTarget; vars: Record<string, string> }

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

async function current(db: Db, n: number): Promise<boolean> {
  try {
    const done = await db
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .execute()
    if (!(done as { name: string }[]).some((m) => m.name === LATEST)) return false
    const links = await db
      .selectFrom('brand_supplier')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .execute()
    return Number(links[0]?.n) === n
  } catch {
    return false
  }
}

/** A database holding the demo with `n` suppliers, made once and kept. */
async function prepare(engine: Engine, n: number): Promise<Prepared> {
  let vars: Record<string, string>
  if (engine === 'sqlite') {
    const dir = join(PROJECT_ROOT, 'bench', '.data')
    mkdirSync(dir, { recursive: true })
    vars = { DATABASE_PATH: join(dir, `portfolio-${n}.db`) }
  } else {
    const server = process.env.FAIRHIRE_BENCH_POSTGRES_URL as string
    const name = `fairhire_bench_portfolio_${n}`
    const admin = new Pool({ connectionString: server, max: 1 })
    try {
      const found = await admin.query('select 1 from pg_database where datname = $1', [name])
      if (found.rowCount === 0) await admin.query(`create database "${name}"`)
    } finally {
      await admin.end()
    }
    const u = new URL(server)
    u.pathname = `/${name}`
    vars = { DATABASE_URL: u.toString(), SESSION_SECRET: 'b'.repeat(40) }
  }
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', SESSION_SECRET: 'b'.repeat(40), ...vars })
  const check = openDatabase(config.database)
  const fresh = await current(check.db, n)
  await check.destroy()
  if (!fresh) {
    if (engine === 'sqlite')
      for (const end of ['', '-wal', '-shm']) rmSync(`${vars.DATABASE_PATH}${end}`, { force: true })
    else {
      // An out-of-date database: empty it, then seed again.
      const { db } = openDatabase(config.database)
      await sql`drop schema public cascade`.execute(db)
      await sql`create schema public`.execute(db)
      await db.destroy()
    }
    process.stdout.write(`  seeding ${n.toLocaleString('en')} suppliers on ${engine}…\n`)
    const app = await buildApp(config, { logger: false })
    try {
      const start = performance.now()
      await seedDemo(app.db, undefined, { suppliers: n })
      process.stdout.write(`  seeded in ${round((performance.now() - start) / 1000)} s\n`)
    } finally {
      await app.close()
    }
  }
  return { engine, target: config.database, vars }
}

const CASES: [string, string][] = [
  ['country', '/portfolio?country=TH'],
  ['country+sector, by inherent risk', '/portfolio?country=MY&sector=electronics&sort=inherent'],
  ['rating critical, by name, page 3', '/portfolio?rating=critical&sort=name&page=3'],
  ['status reviewed, by control score', '/portfolio?status=reviewed&sort=control'],
  ['no assessment', '/portfolio?status=none'],
]
const UNFILTERED: [string, string][] = [
  ['all, by rating (the default)', '/portfolio'],
  ['all, by name, page 400', '/portfolio?sort=name&page=400'],
  ['all, by overdue actions', '/portfolio?sort=overdue'],
]

async function pageBench(p: Prepared, n: number, quick: boolean): Promise<BenchResult> {
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', SESSION_SECRET: 'b'.repeat(40), ...p.vars })
  const app = await buildApp(config, { logger: false })
  try {
    const login = await app.inject({ method: 'GET', url: '/login' })
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.body)?.[1] ?? ''
    const jar = new Map(login.cookies.map((c) => [c.name, c.value]))
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
    const signed = await app.inject({
      method: 'POST',
      url: '/login',
      headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        _csrf: csrf,
        email: 'analyst@northwind.example',
        password: DEMO_PASSWORD,
      }).toString(),
    })
    for (const c of signed.cookies) jar.set(c.name, c.value)
    const times: Record<string, number> = {}
    for (const [name, url] of [...CASES, ...UNFILTERED]) {
      const ms: number[] = []
      for (let i = 0; i < (quick ? 5 : 15) + 2; i++) {
        const start = performance.now()
        const res = await app.inject({ method: 'GET', url, headers: { cookie: cookie() } })
        if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`)
        // The first two warm the caches (prepared statements, the pool, the questionnaire).
        if (i >= 2) ms.push(performance.now() - start)
      }
      times[name] = round(p50(ms))
    }
    const worstFiltered = Math.max(...CASES.map(([name]) => times[name] as number))
    return {
      name: `portfolio page (${p.engine})`,
      description: `GET /portfolio at ${n.toLocaleString('en')} suppliers on ${p.engine}, p50 of the slowest filtered page`,
      value: worstFiltered,
      unit: 'ms',
      goal: '<= 150 ms',
      pass: worstFiltered <= 150,
      details: { p50ms: times },
    }
  } finally {
    await app.close()
  }
}

// Exports ---------------------------------------------------------------------------------------------

type Job = 'read' | 'xlsx' | 'csv-zip' | 'bare'
type Report = { seconds: number; peakRssMB: number; bytes: number; rows: number }

async function brandOf(db: Db): Promise<Principal> {
  const b = await db
    .selectFrom('organisation')
    .select(['id', 'name'])
    .where('kind', '=', 'brand')
    .executeTakeFirstOrThrow()
  return {
    kind: 'user',
    userId: null,
    tokenId: null,
    organisationId: b.id,
    organisationKind: 'brand',
    organisationName: b.name,
    role: 'admin',
    name: 'bench',
    email: null,
  }
}

/** exceljs with nothing added: one sheet per read of the database, unstyled, split at Excel's last row. */
async function bare(db: Db, p: Principal, file: string, sections: { id: string; title: string }[]): Promise<number> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: createWriteStream(file), useStyles: false })
  let written = 0
  const sheet = async (name: string, header: string[], cellsOf: (row: PortfolioRow) => Cell[][]) => {
    let part = 1
    let ws = wb.addWorksheet(name)
    let n = 1
    ws.addRow(header).commit()
    for await (const row of portfolioRows(db, p))
      for (const cells of cellsOf(row)) {
        if (n >= MAX_SHEET_ROWS) {
          ws.commit()
          ws = wb.addWorksheet(`${name} (${++part})`)
          ws.addRow(header).commit()
          n = 1
        }
        ws.addRow(cells).commit()
        n++
        // As often as the portfolio writer yields, or the zip never gets a turn.
        if (++written % 200 === 0) await new Promise((r) => setImmediate(r))
      }
    ws.commit()
  }
  const long = (cellsOf: (r: NonNullable<PortfolioRow['result']>) => Cell[][]) => (row: PortfolioRow) =>
    row.result ? cellsOf(row.result).map((cells) => [...keyCells(row), ...cells]) : []
  await sheet(
    'Suppliers',
    SUPPLIER_COLUMNS.map((c) => c.header),
    (row) => [supplierCells(row)],
  )
  await sheet(
    'Heat map',
    heatMapColumns(sections).map((c) => c.header),
    (row) => [heatMapCells(row, sections)],
  )
  await sheet(
    'Red flags',
    RED_FLAG_COLUMNS.map((c) => c.header),
    long(redFlagCells),
  )
  await sheet(
    'Gaps',
    GAP_COLUMNS.map((c) => c.header),
    long(gapCells),
  )
  await wb.commit()
  return written
}

async function childRun(job: Job, target: DatabaseTarget): Promise<Report> {
  const h = openDatabase(target)
  const dir = mkdtempSync(join(tmpdir(), 'fairhire-bench-'))
  const file = join(dir, 'out')
  try {
    const p = await brandOf(h.db)
    const sections = employerSections(await getQuestionnaireVersion(h.db, 'employer'))
    const opts = { brandName: p.organisationName, generatedAt: new Date(), sections }
    const start = performance.now()
    let rows = 0
    if (job === 'read') for await (const _ of portfolioRows(h.db, p)) rows++
    else if (job === 'bare') rows = await bare(h.db, p, file, sections)
    else {
      const out = createWriteStream(file)
      const counted = async function* () {
        for await (const r of portfolioRows(h.db, p)) {
          rows++
          yield r
        }
      }
      await (job === 'xlsx' ? writePortfolio : writePortfolioCsvZip)(out, counted(), opts)
      if (!out.closed) await once(out, 'close')
    }
    const seconds = (performance.now() - start) / 1000
    return {
      seconds: round(seconds, 2),
      // maxRSS is the true high-water mark of the process (KiB), not a sample.
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      bytes: existsSync(file) ? statSync(file).size : 0,
      rows,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await h.destroy()
  }
}

async function inChild(job: Job, target: DatabaseTarget): Promise<Report> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, [CHILD]: JSON.stringify({ job, target }) },
  })
  const [report] = (await once(child, 'message')) as [Report]
  await once(child, 'exit')
  return report
}

if (process.env[CHILD] && process.send) {
  const { job, target } = JSON.parse(process.env[CHILD] as string) as { job: Job; target: DatabaseTarget }
  process.send(await childRun(job, target))
}

async function exportBench(p: Prepared, n: number): Promise<BenchResult> {
  const read = await inChild('read', p.target)
  const xlsx = await inChild('xlsx', p.target)
  const csv = await inChild('csv-zip', p.target)
  const plain = await inChild('bare', p.target)
  const ratio = xlsx.seconds / plain.seconds
  const peak = Math.max(xlsx.peakRssMB, csv.peakRssMB)
  return {
    name: `portfolio export (${p.engine})`,
    description: `portfolio workbook of ${n.toLocaleString('en')} suppliers from ${p.engine}, time relative to a bare exceljs writer of the same cells (one database read per sheet)`,
    value: round(ratio, 2),
    unit: '× bare writer',
    goal: '<= 1.5×, peak RSS < 400 MB',
    pass: ratio <= 1.5 && peak < 400,
    details: {
      seconds: { readEveryRow: read.seconds, xlsx: xlsx.seconds, csvZip: csv.seconds, bareExceljs: plain.seconds },
      peakRssMB: {
        readEveryRow: read.peakRssMB,
        xlsx: xlsx.peakRssMB,
        csvZip: csv.peakRssMB,
        bareExceljs: plain.peakRssMB,
      },
      fileMB: {
        xlsx: round(xlsx.bytes / 1048576),
        csvZip: round(csv.bytes / 1048576),
        bareExceljs: round(plain.bytes / 1048576),
      },
      bareRowsWritten: plain.rows,
    },
  }
}

export async function portfolioScaleBench(quick: boolean): Promise<BenchResult[]> {
  const n = quick ? 2_000 : 50_000
  const engines: Engine[] = process.env.FAIRHIRE_BENCH_POSTGRES_URL ? ['sqlite', 'postgres'] : ['sqlite']
  const results: BenchResult[] = []
  for (const engine of engines) {
    const p = await prepare(engine, n)
    results.push(await pageBench(p, n, quick))
    if (!process.argv.includes('--no-export')) results.push(await exportBench(p, n))
  }
  return results
}
