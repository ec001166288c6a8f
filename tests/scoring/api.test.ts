import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getQuestionnaireVersion } from '../../src/questionnaire/questionnaire.service.ts'
import { getRubricVersion, storeRubric } from '../../src/scoring/rubric.service.ts'
import { scoreRequest, storeSnapshot } from '../../src/scoring/score.service.ts'
import { listSnapshots } from '../../src/scoring/score-snapshot.repository.ts'
import { testApp } from '../helpers/app.ts'
import { spawnTs } from '../helpers/process.ts'
import { PROFILE, run } from '../helpers/scoring.ts'

describe('POST /api/v1/score', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  beforeAll(async () => {
    t = await testApp()
  })
  afterAll(async () => {
    await t.close()
  })

  it('scores answers with the stored questionnaire and rubric, as the engine does', async () => {
    const answers = { ...PROFILE, 'A6.1': 'held_restricted', 'A1.4': 'yes' }
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/score',
      payload: { questionnaire: 'employer', answers, evidence: ['A1.4'] },
    })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body).toEqual(JSON.parse(JSON.stringify(run('employer', answers, { evidence: ['A1.4'] }))))
    expect(body.rubric).toMatchObject({ id: 'default', version: '2026.2' })
    expect(body.redFlags[0]).toMatchObject({ question: 'A6.1', indicator: 'retention_of_identity_documents' })
  })

  it('refuses bad answers with 400 and one problem per bad entry, naming the field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/score',
      payload: {
        questionnaire: 'employer',
        answers: { 'A0.1': 'XX', 'A6.1': 'maybe', 'A0.3': 2.5, 'Z.9': 'yes', 'A0.5': ['direct', 'direct'] },
        evidence: ['Q.1'],
      },
    })
    expect(res.statusCode).toBe(400)
    const fields = res.json().issues.map((i: { field: string }) => i.field)
    expect(fields).toEqual([
      'answers.A0.1',
      'answers.A6.1',
      'answers.A0.3',
      'answers.Z.9',
      'answers.A0.5',
      'evidence[0]',
    ])
    expect(res.json().message).toMatch(/^6 problems with the answers/)
  })

  it('refuses a body of the wrong shape with 400 naming the field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/score',
      payload: { questionnaire: 'employer', answers: { 'A0.1': { nested: true } } },
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().issues[0].field).toMatch(/^body\.answers/)
    const verified = await t.app.inject({
      method: 'POST',
      url: '/api/v1/score',
      payload: { questionnaire: 'employer', answers: {}, verified: { 'A6.1': 'hunch' } },
    })
    expect(verified.statusCode).toBe(400)
    expect(verified.json().issues[0].field).toBe('body.verified.A6.1')
  })

  it('answers 404 for an unknown questionnaire, version or rubric', async () => {
    for (const payload of [
      { questionnaire: 'nope', answers: {} },
      { questionnaire: 'employer', version: '42', answers: {} },
      { questionnaire: 'employer', rubric: 'default@9', answers: {} },
    ]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/score', payload })
      expect(res.statusCode).toBe(404)
      expect(res.json().message).toMatch(/not found|has no version/)
    }
  })

  it('lists rubrics and serves one with its full country table', async () => {
    const list = (await t.app.inject('/api/v1/rubrics')).json()
    // 2026.1 (archived, revision 1) and the current 2026.2 (revision 2).
    expect(list).toMatchObject([
      { id: 'default', revision: 1, current: false },
      { id: 'default', revision: 2, current: true },
    ])
    const full = (await t.app.inject('/api/v1/rubrics/default@2')).json()
    expect(full.rubric.inherent.country.countries).toHaveLength(250)
    expect(full.rubric.inherent.country.countries.find((c: { code: string }) => c.code === 'TH')).toMatchObject({
      points: 2,
    })
  })
})

describe('rubric versions and score snapshots', () => {
  it('re-scoring under a derived rubric makes a new snapshot and keeps the old one', async () => {
    const t = await testApp()
    try {
      const db = t.app.db
      const answers = { ...PROFILE, 'A6.1': 'held_restricted' }
      const first = await scoreRequest(db, { questionnaire: 'employer', answers })
      await storeSnapshot(db, 7, first.questionnaire.versionId, first.rubric.versionId, 'submitted', first.result)

      const derived = structuredClone(first.rubric.rubric)
      derived.version = '2026.3'
      derived.red_flags.any = 'critical'
      const stored = await storeRubric(db, derived, 'import:test', 'always')
      expect(stored).toMatchObject({ id: 'default', revision: 3, created: true })
      // The old version is still there, unchanged.
      expect((await getRubricVersion(db, 'default@2')).rubric.red_flags.any).toBe('high')

      const second = await scoreRequest(db, { questionnaire: 'employer', answers })
      expect(second.rubric.revision).toBe(3)
      await storeSnapshot(
        db,
        7,
        second.questionnaire.versionId,
        second.rubric.versionId,
        'rescored: rubric default@3',
        second.result,
      )
      const snaps = await listSnapshots(db, 7)
      expect(snaps.map((s) => [s.rubric_revision, s.rating, s.reason])).toEqual([
        [2, first.result.rating, 'submitted'],
        [3, 'critical', 'rescored: rubric default@3'],
      ])
      // Stored versions and snapshots cannot be altered.
      await expect(db.updateTable('score_snapshot').set({ rating: 'low' }).execute()).rejects.toThrow(/immutable/)
      await expect(db.deleteFrom('rubric_version').execute()).rejects.toThrow(/immutable/)
      const qv = await getQuestionnaireVersion(db, 'employer')
      await expect(
        db.updateTable('questionnaire_version').set({ title: 'x' }).where('id', '=', qv.versionId).execute(),
      ).rejects.toThrow(/immutable/)
    } finally {
      await t.close()
    }
  })
})

describe('fairhire score and rubric import', () => {
  it('prints the result as JSON, and exits 2 with one line per bad entry', { timeout: 90_000 }, async () => {
    const t = await testApp()
    try {
      const good = join(t.env.dir, 'good.json')
      writeFileSync(good, JSON.stringify({ ...PROFILE, 'A6.1': 'held_restricted', evidence: ['A6.1'] }))
      const ok = spawnTs('src/cli.ts', ['score', '--questionnaire', 'employer', '--answers', good], t.env.vars)
      expect(await ok.exit).toBe(0)
      const printed = JSON.parse(ok.stdout())
      expect(printed.rating).toBe(
        run('employer', { ...PROFILE, 'A6.1': 'held_restricted' }, { evidence: ['A6.1'] }).rating,
      )

      const bad = join(t.env.dir, 'bad.json')
      writeFileSync(bad, JSON.stringify({ answers: { 'A0.1': 'Thailand', 'A0.3': -1, B9: 'x' } }))
      const ko = spawnTs('src/cli.ts', ['score', '--questionnaire', 'employer', '--answers', bad], t.env.vars)
      expect(await ko.exit).toBe(2)
      expect(ko.stderr().trim().split('\n')).toEqual([
        `${bad}: answers.A0.1: expected an ISO 3166 two-letter country code such as TH or MY`,
        `${bad}: answers.A0.3: Enter a whole number of 1 or more.`,
        `${bad}: answers.B9: no question "B9" in questionnaire employer 2026.2`,
      ])

      // Derive a rubric: print the current one, change it, import it under a new id.
      const shown = spawnTs('src/cli.ts', ['rubric', 'show', 'default'], t.env.vars)
      expect(await shown.exit).toBe(0)
      const derived = JSON.parse(shown.stdout())
      derived.id = 'strict'
      derived.derived_from = 'default@1'
      derived.red_flags.any = 'critical'
      const rubricFile = join(t.env.dir, 'strict.json')
      writeFileSync(rubricFile, JSON.stringify(derived))
      const imp = spawnTs('src/cli.ts', ['rubric', 'import', rubricFile], t.env.vars)
      expect(await imp.exit, imp.stderr()).toBe(0)
      expect(imp.stdout()).toContain('stored rubric strict revision 1')
      const strict = spawnTs(
        'src/cli.ts',
        ['score', '--questionnaire', 'employer', '--rubric', 'strict', '--answers', good],
        t.env.vars,
      )
      expect(await strict.exit).toBe(0)
      expect(JSON.parse(strict.stdout()).rating).toBe('critical')

      derived.section_weights.employer.A99 = 5
      writeFileSync(rubricFile, JSON.stringify(derived))
      const broken = spawnTs('src/cli.ts', ['rubric', 'import', rubricFile], t.env.vars)
      expect(await broken.exit).toBe(2)
      expect(broken.stderr()).toContain('section_weights.employer.A99: no such section in employer')
    } finally {
      await t.close()
    }
  })
})
