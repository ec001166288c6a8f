import { fork } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ExcelJS from 'exceljs'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../src/paths.ts'
import { loadQuestionnaireDir } from '../src/questionnaire/loader.ts'
import { compileQuestionnaire } from '../src/questionnaire/model.ts'
import { t } from '../src/questionnaire/text.ts'
import {
  type Cell,
  GAP_COLUMNS,
  gapCells,
  heatMapCells,
  heatMapColumns,
  keyCells,
  RED_FLAG_COLUMNS,
  redFlagCells,
  SUPPLIER_COLUMNS,
  supplierCells,
} from '../src/reports/portfolio/sheets.ts'
import { type PortfolioRow, writePortfolio } from '../src/reports/portfolio/write.ts'
import { score } from '../src/scoring/engine.ts'
import { hashRubric, loadRubricFile } from '../src/scoring/rubric.loader.ts'
import { generateAssessment, rng } from './generate.ts'
import type { BenchResult } from './report.ts'

/**
 * Portfolio export of employer suppliers, scored once up front, timed beside a bare exceljs
 * WorkbookWriter that writes the same cells into the same four sheets and nothing else: no styles,
 * widths, filters, colour scale, spooling or back-pressure. The ratio is the cost of making the file
 * look finished and keeping memory flat. Peak memory is measured in a fresh child process that scores
 * the same suppliers and writes the portfolio once, so earlier runs in this process do not count.
 */

const CHILD_ENV = 'FAIRHIRE_PORTFOLIO_BENCH_CHILD'
const STATUSES = ['submitted', 'in_review', 'reviewed'] as const
type Sections = { id: string; title: string }[]

function suppliers(n: number): { rows: PortfolioRow[]; sections: Sections } {
  const q = loadQuestionnaireDir(DEFAULT_QUESTIONNAIRES_DIR).find((x) => x.def.id === 'employer')
  if (!q) throw new Error('employer questionnaire missing')
  const cq = compileQuestionnaire(q.def)
  const rubric = loadRubricFile(join(DEFAULT_QUESTIONNAIRES_DIR, 'rubrics/default.yaml'))
  const rubricHash = hashRubric(rubric)
  const r = rng(42)
  const rows: PortfolioRow[] = []
  for (let i = 0; i < n; i++) {
    const a = generateAssessment(cq, 5000 + i)
    const result = score({
      questionnaire: cq,
      questionnaireHash: q.hash,
      rubric,
      rubricHash,
      answers: a.answers,
      evidence: a.evidence,
    })
    const status = STATUSES[i % STATUSES.length] as string
    rows.push({
      supplier: {
        code: `SUP-${String(i + 1).padStart(5, '0')}`,
        name: `Supplier ${i + 1} Manufacturing Co., Ltd.`,
        country: a.answers.get('A0.1') as string,
        sector: String(a.answers.get('A0.2')),
      },
      assessment: {
        id: i + 1,
        questionnaire: 'employer',
        version: q.def.version,
        status,
        submittedAt: `2026-0${1 + (i % 9)}-1${i % 10}T09:30:00Z`,
        reviewedAt: status === 'reviewed' ? `2026-10-0${1 + (i % 9)}` : null,
      },
      result,
      openActions: Math.floor(r() * 12),
      overdueActions: Math.floor(r() * 4),
    })
  }
  const sections = q.def.sections.filter((s) => !s.profile).map((s) => ({ id: s.id, title: t(s.title) }))
  return { rows, sections }
}

async function* iterate(rows: PortfolioRow[]): AsyncGenerator<PortfolioRow> {
  for (const row of rows) yield row
}

async function seconds(run: () => Promise<void>): Promise<number> {
  const start = performance.now()
  await run()
  return (performance.now() - start) / 1000
}

async function bareWriter(file: string, rows: PortfolioRow[], sections: Sections, useStyles: boolean) {
  const stream = createWriteStream(file)
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles, useSharedStrings: false })
  let n = 0
  const sheet = async (name: string, header: string[], cellsOf: (row: PortfolioRow) => Cell[][]) => {
    const ws = wb.addWorksheet(name)
    ws.addRow(header).commit()
    for (const row of rows) {
      for (const cells of cellsOf(row)) {
        ws.addRow(cells).commit()
        // Yielding as often as the real writer does, or the zip never gets a turn.
        if (++n % 200 === 0) await new Promise((resolve) => setImmediate(resolve))
      }
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
}

async function portfolioWriter(file: string, rows: PortfolioRow[], sections: Sections) {
  const out = createWriteStream(file)
  await writePortfolio(out, iterate(rows), { brandName: 'Bench Brand', generatedAt: new Date(), sections })
  if (!out.writableFinished) await once(out, 'finish')
}

type MemoryReport = { rssBeforeMB: number; peakRssMB: number; seconds: number }

/** In the child: score, note the memory, write the portfolio once, report the process's peak RSS. */
async function childRun(n: number): Promise<MemoryReport> {
  const { rows, sections } = suppliers(n)
  const rssBefore = process.memoryUsage().rss
  const dir = mkdtempSync(join(tmpdir(), 'fairhire-bench-'))
  try {
    const s = await seconds(() => portfolioWriter(join(dir, 'portfolio.xlsx'), rows, sections))
    // maxRSS is the true high-water mark of the process (in KiB), not a sample.
    return {
      rssBeforeMB: Math.round(rssBefore / 1024 / 1024),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      seconds: s,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Forks this module (with the same TypeScript loader) and waits for the child's report. */
async function measureInChild(n: number): Promise<MemoryReport> {
  const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, [CHILD_ENV]: String(n) } })
  const [report] = (await once(child, 'message')) as [MemoryReport]
  await once(child, 'exit')
  return report
}

if (process.env[CHILD_ENV] && process.send) {
  const report = await childRun(Number(process.env[CHILD_ENV]))
  process.send(report)
}

const round2 = (x: number) => Math.round(x * 100) / 100

export async function portfolioBench(quick: boolean): Promise<BenchResult> {
  const n = quick ? 2_000 : 10_000
  const memory = await measureInChild(n)
  const { rows, sections } = suppliers(n)
  const gaps = rows.reduce((s, r) => s + (r.result?.gaps.length ?? 0), 0)
  const flags = rows.reduce((s, r) => s + (r.result ? r.result.redFlags.length + r.result.suspectedFlags.length : 0), 0)
  const dir = mkdtempSync(join(tmpdir(), 'fairhire-bench-'))
  try {
    const file = (name: string) => join(dir, name)
    // Alternating the writers keeps JIT warm-up and heap growth from favouring one; each keeps its best.
    const plain: number[] = []
    const ours: number[] = []
    for (let i = 0; i < (quick ? 1 : 2); i++) {
      plain.push(await seconds(() => bareWriter(file('bare.xlsx'), rows, sections, false)))
      ours.push(await seconds(() => portfolioWriter(file('portfolio.xlsx'), rows, sections)))
    }
    // The same options as the portfolio, but cells left unstyled: exceljs then serialises a style per cell.
    const sameOptions = await seconds(() => bareWriter(file('bare-styled.xlsx'), rows, sections, true))
    const ratio = Math.min(...ours) / Math.min(...plain)
    const size = (name: string) => round2(statSync(file(name)).size / 1024 / 1024)
    return {
      name: 'portfolio',
      description: `portfolio export of ${n.toLocaleString('en')} employer suppliers, time relative to a bare exceljs WorkbookWriter writing the same cells`,
      value: round2(ratio),
      unit: '× bare writer',
      goal: '<= 1.5×, peak RSS < 400 MB',
      pass: ratio <= 1.5 && memory.peakRssMB < 400,
      details: {
        rows: { suppliers: n, heatMap: n, redFlags: flags, gaps },
        seconds: {
          portfolio: ours.map(round2),
          bareWithoutStyles: plain.map(round2),
          bareSameOptionsUnstyledCells: round2(sameOptions),
        },
        suppliersPerSecond: Math.round(n / Math.min(...ours)),
        memory: {
          peakRssMB: memory.peakRssMB,
          rssWithScoredSuppliersMB: memory.rssBeforeMB,
          childSeconds: round2(memory.seconds),
        },
        fileMB: { portfolio: size('portfolio.xlsx'), bare: size('bare.xlsx') },
      },
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
