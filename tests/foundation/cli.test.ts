import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../../src/paths.ts'
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
      // A fresh install stores the archived 2026.1 first (revision 1), then the current file.
      expect(out).toMatchObject({ id: 'employer', revision: 2 })
      expect(out.definition.version).toBe('2026.2')
      const old = spawnTs('src/cli.ts', ['questionnaires', 'show', 'employer', '--version', '1', '--json'], env.vars)
      expect(await old.exit).toBe(0)
      expect(JSON.parse(old.stdout()).definition.version).toBe('2026.1')
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

  it('lints the questionnaires: the shipped ones pass; silence worth more than a remedied case, or a missing new topic, fails', async () => {
    const env = freshEnv()
    try {
      const ok = spawnTs('src/cli.ts', ['questionnaires', 'lint', '--quiet'], env.vars)
      expect(await ok.exit).toBe(0)
      expect(ok.stdout()).toMatch(/employer 2026\.2/)
      const text = readFileSync(join(DEFAULT_QUESTIONNAIRES_DIR, 'employer.yaml'), 'utf8')
      // A6.8 "No case has been reported" raised above "reported and remedied".
      const start = text.indexOf('- id: A6.8')
      const none = text.indexOf('id: none_reported', start)
      const credit = text.indexOf('credit: 0.5', none)
      const silent = `${text.slice(0, credit)}credit: 1${text.slice(credit + 'credit: 0.5'.length)}`
      const file = join(env.dir, 'employer-silent.yaml')
      writeFileSync(file, silent)
      const bad = spawnTs('src/cli.ts', ['questionnaires', 'lint', '--quiet', file], env.vars)
      expect(await bad.exit).toBe(1)
      expect(bad.stdout()).toContain('A6.8: "none_reported" (no case reported) is worth more than "reported_remedied"')
      // Without the transport theme the coverage rule fails.
      const noTransport = join(env.dir, 'employer-no-transport.yaml')
      writeFileSync(noTransport, text.replaceAll('theme: transport', 'theme: documents_movement'))
      const missing = spawnTs('src/cli.ts', ['questionnaires', 'lint', '--quiet', noTransport], env.vars)
      expect(await missing.exit).toBe(1)
      expect(missing.stdout()).toContain('no scored question covers daily transport')
    } finally {
      env.cleanup()
    }
  }, 120_000)
})
