import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { GAP_REPORT_SHEETS } from '../../src/reports/gap-report/build.ts'
import { freshEnv } from '../helpers/app.ts'
import { spawnTs } from '../helpers/process.ts'
import { submittedWorld } from '../helpers/seed.ts'

describe('fairhire command-line tool', () => {
  it('lists its commands with --help', async () => {
    const p = spawnTs('src/cli.ts', ['--help'], {})
    expect(await p.exit).toBe(0)
    for (const c of [
      'migrate',
      'questionnaires lint',
      'score',
      'rubric import',
      'users create-admin',
      'demo seed',
      'export gap-report',
      'backup',
    ]) {
      expect(p.stdout()).toContain(`fairhire ${c}`)
    }
  })

  it('prints a questionnaire definition as JSON, the same the API serves', async () => {
    const env = freshEnv()
    try {
      const p = spawnTs('src/cli.ts', ['questionnaires', 'show', 'employer', '--json'], env.vars)
      expect(await p.exit).toBe(0)
      const out = JSON.parse(p.stdout())
      expect(out).toMatchObject({ id: 'employer', revision: 1 })
      expect(out.definition.sections.map((s: { id: string }) => s.id)).toContain('A6')
      const missing = spawnTs('src/cli.ts', ['questionnaires', 'show', 'nope'], env.vars)
      expect(await missing.exit).toBe(1)
      expect(missing.stderr()).toContain('questionnaire "nope" not found')
    } finally {
      env.cleanup()
    }
  }, 60_000)

  it('exports a gap report and a portfolio workbook, and says what is wrong with bad arguments', async () => {
    const env = freshEnv()
    try {
      const app = await buildApp(env.config, { logger: false })
      // Supplier A's requested assessment answered and submitted, so it has a score and gaps.
      const w = await submittedWorld(app)
      await app.close()
      const run = async (args: string[]) => {
        const p = spawnTs('src/cli.ts', args, env.vars)
        return { code: await p.exit, out: p.stdout(), err: p.stderr() }
      }
      const read = async (file: string) => {
        const wb = new ExcelJS.Workbook()
        await wb.xlsx.readFile(file)
        return wb
      }

      const gapFile = join(env.dir, 'gap.xlsx')
      const gap = await run(['export', 'gap-report', '--assessment', String(w.assessments.requested), '--out', gapFile])
      expect(gap.code, gap.err).toBe(0)
      expect(gap.out).toMatch(/^wrote .*gap\.xlsx \(\d+ bytes\)/)
      expect((await read(gapFile)).worksheets.map((s) => s.name)).toEqual([...GAP_REPORT_SHEETS])

      const portfolioFile = join(env.dir, 'portfolio.xlsx')
      const portfolio = await run(['export', 'portfolio', '--brand', String(w.brandA), '--out', portfolioFile])
      expect(portfolio.code, portfolio.err).toBe(0)
      const suppliers = (await read(portfolioFile)).getWorksheet('Suppliers')
      const names: string[] = []
      suppliers?.eachRow((row, n) => {
        if (n > 1) names.push(String(row.getCell(2).value ?? ''))
      })
      expect(names.join(' ')).toContain('Supplier A')

      // Several brands: the command asks which, naming them; a bad id is refused before anything is written.
      const which = await run(['export', 'portfolio', '--out', join(env.dir, 'x.xlsx')])
      expect(which.code).toBe(2)
      expect(which.err).toMatch(/choose one with --brand/)
      const bad = await run(['export', 'gap-report', '--assessment', 'abc', '--out', join(env.dir, 'y.xlsx')])
      expect(bad.code).toBe(2)
      expect(bad.err).toContain('--assessment must be an assessment id')
    } finally {
      env.cleanup()
    }
  }, 120_000)
})
