import { describe, expect, it } from 'vitest'
import { freshEnv } from '../helpers/app.ts'
import { spawnTs } from '../helpers/process.ts'

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
      const p = spawnTs('src/cli.ts', ['questionnaires', 'show', 'employer', '--json'], {
        DATABASE_PATH: env.config.databasePath,
      })
      expect(await p.exit).toBe(0)
      const out = JSON.parse(p.stdout())
      expect(out).toMatchObject({ id: 'employer', revision: 1 })
      expect(out.definition.sections.map((s: { id: string }) => s.id)).toContain('A6')
      const missing = spawnTs('src/cli.ts', ['questionnaires', 'show', 'nope'], {
        DATABASE_PATH: env.config.databasePath,
      })
      expect(await missing.exit).toBe(1)
      expect(missing.stderr()).toContain('questionnaire "nope" not found')
    } finally {
      env.cleanup()
    }
  }, 60_000)
})
