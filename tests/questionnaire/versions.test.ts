import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../../src/paths.ts'
import { freshEnv, type TestEnv } from '../helpers/app.ts'

describe('questionnaire versions', () => {
  let dir: string
  let env: TestEnv
  afterEach(() => {
    env.cleanup()
    rmSync(dir, { recursive: true, force: true })
  })

  it('an edited file becomes a new version on restart; the old one is still served with ?version=', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fairhire-q-'))
    cpSync(DEFAULT_QUESTIONNAIRES_DIR, dir, { recursive: true })
    // Without the archived versions, so that the current file is revision 1 (cli.test checks the archive comes first).
    rmSync(join(dir, 'archive'), { recursive: true })
    env = freshEnv({ QUESTIONNAIRES_DIR: dir })

    let app = await buildApp(env.config, { logger: false })
    const first = (await app.inject('/api/v1/questionnaires/employer')).json()
    expect(first.revision).toBe(1)
    expect(first.definition.sections[0].questions[0].id).toBe('A0.1')
    await app.close()

    // Restarting on unchanged files creates nothing new.
    app = await buildApp(env.config, { logger: false })
    expect((await app.inject('/api/v1/questionnaires/employer')).json().revision).toBe(1)
    await app.close()

    const file = join(dir, 'employer.yaml')
    const original = readFileSync(file, 'utf8')
    const edited = original.replace(
      'in which country is the site?'.replace(/^./, 'I'),
      'In which country is your site located?',
    )
    expect(edited).not.toBe(original)
    writeFileSync(file, edited)

    app = await buildApp(env.config, { logger: false })
    try {
      const latest = (await app.inject('/api/v1/questionnaires/employer')).json()
      expect(latest.revision).toBe(2)
      expect(latest.contentHash).not.toBe(first.contentHash)
      expect(latest.definition.sections[0].questions[0].text).toBe('In which country is your site located?')
      expect(latest.versions.map((v: { revision: number }) => v.revision)).toEqual([1, 2])

      const old = (await app.inject('/api/v1/questionnaires/employer?version=1')).json()
      expect(old.revision).toBe(1)
      expect(old.definition).toEqual(first.definition)
      const byHash = (
        await app.inject(`/api/v1/questionnaires/employer?version=${first.contentHash.slice(0, 10)}`)
      ).json()
      expect(byHash.revision).toBe(1)

      const missing = await app.inject('/api/v1/questionnaires/employer?version=9')
      expect(missing.statusCode).toBe(404)
      expect(missing.json().message).toContain('known revisions: 1, 2')

      const page = await app.inject('/questionnaires/employer?version=1')
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('revision 1')
      expect(page.body).toContain('In which country is the site?')
    } finally {
      await app.close()
    }
  })

  it('refuses to start on a broken file, naming the file and the path inside it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fairhire-q-'))
    cpSync(DEFAULT_QUESTIONNAIRES_DIR, dir, { recursive: true })
    const file = join(dir, 'brand.yaml')
    writeFileSync(file, readFileSync(file, 'utf8').replace(/credit: 0\.25/, 'credit: 1.25'))
    env = freshEnv({ QUESTIONNAIRES_DIR: dir })
    await expect(buildApp(env.config, { logger: false })).rejects.toThrow(
      /brand\.yaml:\d+: sections\[\d+\]\.questions\[\d+\]\.choices\[\d+\]\.credit: credit must be between 0 and 1/,
    )
  })
})

describe('questionnaire API and pages', () => {
  it('lists the shipped questionnaires and renders a read-only page with sources and guidance', async () => {
    const env = freshEnv()
    const app = await buildApp(env.config, { logger: false })
    try {
      const list = (await app.inject('/api/v1/questionnaires')).json()
      expect(list.map((q: { id: string }) => q.id)).toEqual(['brand', 'employer', 'recruiter'])
      const full = (await app.inject('/api/v1/questionnaires/employer')).json()
      const a61 = full.definition.sections
        .flatMap((s: { questions: unknown[] }) => s.questions)
        .find((q: { id: string }) => q.id === 'A6.1')
      expect(a61.severity).toBe('critical')
      expect(a61.choices.some((c: { red_flag?: unknown }) => c.red_flag)).toBe(true)

      const page = await app.inject('/questionnaires/employer')
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('A6.1')
      expect(page.body).toContain('Red flag: Retention of identity documents')
      expect(page.body).toContain('<abbr title="ILO Indicators of Forced Labour (2012)">ILO-IND</abbr>')
      expect((await app.inject('/questionnaires')).body).toContain('/questionnaires/recruiter')
      expect((await app.inject({ url: '/questionnaires/nope', headers: { accept: 'text/html' } })).statusCode).toBe(404)
      expect((await app.inject('/api/v1/questionnaires/nope')).json().message).toBe('questionnaire "nope" not found')
      const docs = (await app.inject('/docs/json')).json()
      expect(Object.keys(docs.paths)).toContain('/api/v1/questionnaires/{id}')
    } finally {
      await app.close()
      env.cleanup()
    }
  })
})
