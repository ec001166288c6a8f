import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PROJECT_ROOT } from '../src/paths.ts'
import { gapReportBench } from './gap-report.bench.ts'
import { httpBench } from './http.bench.ts'
import { portfolioBench } from './portfolio.bench.ts'
import { portfolioScaleBench } from './portfolio-scale.bench.ts'
import { postgresBench } from './postgres.bench.ts'
import type { BenchResult } from './report.ts'
import { scoringBench } from './scoring.bench.ts'
import { startupBench } from './startup.bench.ts'

/**
 * The benchmark suite: `npm run bench` (a few minutes) or `npm run bench -- --quick` (a smoke run).
 * Prints a table and writes bench/results.json. Benchmarks are never part of `npm test`.
 */
const quick = process.argv.includes('--quick')
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length)

const suites: [string, (quick: boolean) => Promise<BenchResult | BenchResult[]>][] = [
  ['scoring', scoringBench],
  ['http', httpBench],
  ['gap-report', gapReportBench],
  ['portfolio', portfolioBench],
  ['portfolio-scale', portfolioScaleBench],
  ['startup', startupBench],
  ['postgres', postgresBench],
]

const results: BenchResult[] = []
for (const [name, fn] of suites) {
  if (only && only !== name) continue
  process.stdout.write(`running ${name}…\n`)
  const r = await fn(quick)
  results.push(...(Array.isArray(r) ? r : [r]))
}

const rows = results.map((r) => [r.name, `${r.value.toLocaleString('en')} ${r.unit}`, r.goal, r.pass ? 'pass' : 'MISS'])
const widths = [0, 1, 2, 3].map((i) =>
  Math.max(...[['benchmark', 'result', 'goal', ''], ...rows].map((row) => (row[i] ?? '').length)),
)
const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')
process.stdout.write(`\n${line(['benchmark', 'result', 'goal', ''])}\n${rows.map(line).join('\n')}\n`)

mkdirSync(join(PROJECT_ROOT, 'bench'), { recursive: true })
writeFileSync(
  join(PROJECT_ROOT, 'bench', 'results.json'),
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, quick, results }, null, 2)}\n`,
)
