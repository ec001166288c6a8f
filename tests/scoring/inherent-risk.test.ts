import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../../src/paths.ts'
import type { AnswerValue } from '../../src/questionnaire/condition.ts'
import { COUNTRIES } from '../../src/questionnaire/countries.ts'
import { loadQuestionnaireText } from '../../src/questionnaire/loader.ts'
import { type CompiledQuestionnaire, compileQuestionnaire } from '../../src/questionnaire/model.ts'
import { score } from '../../src/scoring/engine.ts'
import type { ScoreResult } from '../../src/scoring/result.schema.ts'
import { checkRubricAgainst, loadRubricFile, parseRubric } from '../../src/scoring/rubric.loader.ts'
import { CorridorCostTable, type Rubric } from '../../src/scoring/rubric.schema.ts'
import { routesQuestionnaire } from '../helpers/routes.ts'
import { type Answers, bestAnswers, compiled, rubric, rubric2026_1 } from '../helpers/scoring.ts'

/**
 * Inherent risk under rubric 2026.2 (scoring.md §4): capped groups, internal migrants, migration routes scored from
 * public data, and recruiters scored by where they recruit and place. Every expected number is worked out by hand
 * from questionnaires/rubrics/default.yaml and its data files; the comments show the arithmetic. The questionnaires
 * are the shipped ones with their 2026.2 profile questions (tests/helpers/routes.ts).
 */

const employer = routesQuestionnaire('employer').cq
const recruiter = routesQuestionnaire('recruiter').cq

function run(cq: CompiledQuestionnaire, answers: Answers, r: Rubric = rubric): ScoreResult {
  const all = bestAnswers(cq, answers)
  return score({
    questionnaire: cq,
    questionnaireHash: 'test',
    rubric: r,
    rubricHash: 'test',
    answers: new Map(Object.entries(all)),
    // Every scored answer evidenced: no "don't know" point, so only the profile counts.
    evidence: new Set(Object.keys(all)),
  })
}

const factor = (r: ScoreResult, f: string) => r.inherent.factors.find((x) => x.factor === f)
const points = (r: ScoreResult) => Object.fromEntries(r.inherent.factors.map((f) => [f.factor, f.points]))

type Changes = Record<string, AnswerValue | undefined>
/** The answers with those set to undefined left out. */
const without = (a: Changes): Answers =>
  Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as Answers

/** A site profile: Malaysia, electronics, 1,000 workers of whom 600 cross-border migrants. */
const site = (extra: Changes = {}): Answers =>
  without({
    'A0.1': 'MY',
    'A0.2': 'electronics',
    'A0.3': 1000,
    'A0.3b': 600,
    'A0.3c': 0,
    'A0.3e': 0,
    'A0.5': ['origin_agency'],
    'A0.6': 2,
    'A0.7': 'yes',
    'A0.8': 'yes',
    'A0.8b': 500,
    ...extra,
  })

describe('inherent risk 2026.2: capped groups', () => {
  it('caps migrant share, channels, tied permits and housing together at 3, and says what the cap removed', () => {
    const r = run(employer, site({ 'A0.4': ['MM:600:origin_agency'] }))
    // Malaysia 2 + electronics 2 + 1 (electronics from Malaysia are on the DOL list) = 5.
    // Migration exposure: share 2 (60%) + channel 2 + tied 1 + housing 1 = 6, capped at 3.
    // Routes: Myanmar is Tier 3 (4 points): origin band 2; no survey of Myanmar to Malaysia: 2.
    expect(points(r)).toEqual({
      country: 2,
      sector: 3,
      migrant_share: 2,
      recruitment_channels: 2,
      tied_permits: 1,
      employer_accommodation: 1,
      corridors: 2,
    })
    expect(r.inherent.groups).toEqual([
      {
        id: 'migration_exposure',
        label: 'Migration exposure',
        factors: ['migrant_share', 'recruitment_channels', 'tied_permits', 'employer_accommodation'],
        raw: 6,
        cap: 3,
        points: 3,
        removed: 3,
      },
    ])
    // 2 + 3 + 3 + 2 = 10.
    expect(r.inherent).toMatchObject({ uncapped: 10, score: 10, band: 'high' })
    for (const f of ['migrant_share', 'recruitment_channels', 'tied_permits', 'employer_accommodation'])
      expect(factor(r, f)?.group).toBe('migration_exposure')
    expect(factor(r, 'corridors')?.group).toBeUndefined()
    expect(r.inherent.explanation).toBe(
      'country 2 + sector 3 + migration exposure 3 (6, capped at 3) + migration routes 2 = 10: high. ' +
        (rubric.inherent.priority?.high ?? ''),
    )
  })

  it('tells apart migrant-heavy sites that 2026.1 scored alike at the cap', () => {
    // The same practices (home-country agency, tied permits, housing); workers from three home countries.
    const from = (origin: string) => run(employer, site({ 'A0.4': [`${origin}:600:origin_agency`] }))
    const old = (origin: string) => run(employer, site({ 'A0.4': [`${origin}:600:origin_agency`] }), rubric2026_1)
    // 2026.1: 2 + 3 + 2 + 2 + 1 + 1 = 11, capped at 10, whatever the workers' home country.
    expect(['MM', 'ID', 'PH'].map((o) => old(o).inherent.score)).toEqual([10, 10, 10])
    // 2026.2: 5 + 3 + routes: Myanmar (Tier 3) 2, Indonesia (Tier 2) 1, the Philippines (Tier 1) 0.
    expect(['MM', 'ID', 'PH'].map((o) => from(o).inherent.score)).toEqual([10, 9, 8])
  })

  it('gives two migrant-heavy sites with different practices different tiers', () => {
    // A greenhouse in Spain (Tier 1: 1) growing vegetables (agriculture 2), 260 of 310 workers migrants (84%: 2),
    // from Morocco and Romania (both Tier 2: origin 1 each, no survey: routes 1).
    const greenhouse = (extra: Changes) =>
      run(
        employer,
        site({
          'A0.1': 'ES',
          'A0.2': 'agriculture',
          'A0.3': 310,
          'A0.3b': 260,
          'A0.4': ['MA:200:direct', 'RO:60:direct'],
          ...extra,
        }),
      )
    // Hires directly, no tied permits, no housing: exposure 2 + 0 + 0 + 0 = 2. 1 + 2 + 2 + 1 = 6: medium.
    const direct = greenhouse({ 'A0.5': ['direct'], 'A0.7': 'no', 'A0.8': 'no' })
    // Informal brokers, tied permits, housing: exposure 2 + 2 + 1 + 1 = 6, capped at 3. 1 + 2 + 3 + 1 = 7: high.
    const brokers = greenhouse({
      'A0.4': ['MA:200:informal_broker', 'RO:60:informal_broker'],
      'A0.5': ['informal_broker'],
    })
    expect([direct.inherent.score, direct.inherent.band]).toEqual([6, 'medium'])
    expect([brokers.inherent.score, brokers.inherent.band]).toEqual([7, 'high'])
  })

  it('refuses a factor in two groups, and a corridor listed twice', () => {
    const copy = structuredClone(rubric) as unknown as { inherent: Record<string, unknown> }
    copy.inherent.groups = [
      { id: 'a', label: 'A', factors: ['tied_permits'], cap: 1 },
      { id: 'b', label: 'B', factors: ['tied_permits', 'employer_accommodation'], cap: 1 },
    ]
    expect(() => parseRubric(copy, 'x.yaml')).toThrow(/tied_permits is already in group a/)
    const table = structuredClone(rubric.inherent.corridors?.costs) as NonNullable<
      typeof rubric.inherent.corridors
    >['costs']
    table.corridors.push({ ...(table.corridors[0] as (typeof table.corridors)[number]) })
    expect(CorridorCostTable.safeParse(table).error?.issues[0]?.message).toMatch(/appears more than once/)
  })
})

describe('inherent risk 2026.2: the worked example of docs/scoring.md §4.8', () => {
  const saudi = site({
    'A0.1': 'SA',
    'A0.2': 'construction',
    'A0.3': 1000,
    'A0.3b': 900,
    'A0.4': ['PK:600:origin_agency', 'NP:300:informal_broker'],
    'A0.5': ['origin_agency', 'informal_broker'],
  })

  it('gives the numbers the page shows', () => {
    const r = run(employer, saudi)
    expect(points(r)).toEqual({
      country: 2,
      sector: 2,
      migrant_share: 2,
      recruitment_channels: 2,
      tied_permits: 1,
      employer_accommodation: 1,
      corridors: 2.3,
    })
    expect(r.inherent).toMatchObject({ uncapped: 9.3, score: 9.3, band: 'high' })
    expect(r.inherent.explanation).toMatch(
      /^country 2 \+ sector 2 \+ migration exposure 3 \(6, capped at 3\) \+ migration routes 2\.3 = 9\.3: high\. Priority of verification: high\./,
    )
    expect(run(employer, saudi, rubric2026_1).inherent).toMatchObject({ uncapped: 10, score: 10 })
  })

  it('gives medium to the same site with Filipino workers hired directly, without tied permits or housing', () => {
    const r = run(employer, {
      ...saudi,
      'A0.4': ['PH:900:direct'],
      'A0.5': ['direct'],
      'A0.7': 'no',
      'A0.8': 'no',
    })
    expect(r.inherent).toMatchObject({ score: 6, band: 'medium' })
  })
})

describe('inherent risk 2026.2: internal migrants count', () => {
  it('gives a garment maker whose 1,800 workers came from other districts through brokers migration exposure', () => {
    const maker = site({
      'A0.1': 'IN',
      'A0.2': 'garment_textile',
      'A0.3': 2000,
      'A0.3b': 0,
      'A0.3c': 1800,
      'A0.4': ['IN:1800:informal_broker'],
      'A0.5': ['informal_broker'],
      'A0.7': 'no',
      'A0.8': 'yes',
    })
    const r = run(employer, maker)
    expect(factor(r, 'migrant_share')).toMatchObject({
      input: '90%',
      points: 2,
      basis: '30% or more of workers are migrants (0 cross-border + 1800 internal of 2000 workers)',
    })
    // Exposure: share 2 + brokers 2 + tied 0 + housing 1 = 5, capped at 3.
    expect(r.inherent.groups?.[0]).toMatchObject({ raw: 5, points: 3 })
    // The route within India: origin India (Tier 2: 1); no survey covers migration within a country.
    expect(factor(r, 'corridors')).toMatchObject({ points: 1, input: 'India (within the country) 1800' })
    expect(factor(r, 'corridors')?.routes?.[0]?.basis).toContain('migration within the country: no corridor survey')
    // 2026.1 counted cross-border migrants only: 0%, no exposure from the share.
    const old = run(employer, maker, rubric2026_1)
    expect(factor(old, 'migrant_share')).toMatchObject({ input: '0%', points: 0 })
  })

  it('says so when internal migrants are not answered, and counts the cross-border ones', () => {
    const r = run(employer, site({ 'A0.3c': undefined, 'A0.4': ['NP:600:origin_agency'] }))
    expect(factor(r, 'migrant_share')?.basis).toBe(
      '30% or more of workers are migrants (600 cross-border + internal migrants not answered, so not counted of 1000 workers)',
    )
  })
})

describe('inherent risk 2026.2: migration routes', () => {
  it('scores a surveyed corridor by its cost in months of earnings, and weights routes by workers', () => {
    const r = run(
      employer,
      site({ 'A0.1': 'SA', 'A0.2': 'construction', 'A0.4': ['PK:100:origin_agency', 'NP:300:origin_agency'] }),
    )
    const routes = factor(r, 'corridors')?.routes ?? []
    // Pakistan to Saudi Arabia: origin 1 (Tier 2) + cost 3 (8.9 months, six months or more) = 4, at most 3.
    expect(routes[0]).toMatchObject({ row: 'PK:100:origin_agency', destination: 'SA', workers: 100, points: 3 })
    expect(routes[0]?.basis).toContain('8.9 months of earnings')
    expect(routes[0]?.basis).toContain('at most 3')
    // Nepal to Saudi Arabia: origin 1 (Watch List); no survey in the table.
    expect(routes[1]).toMatchObject({ points: 1 })
    expect(routes[1]?.basis).toContain('no corridor survey: origin-country data only')
    // (3 × 100 + 1 × 300) ÷ 400 = 1.5.
    expect(factor(r, 'corridors')).toMatchObject({
      points: 1.5,
      input: 'Pakistan to Saudi Arabia 100; Nepal to Saudi Arabia 300',
    })
    expect(factor(r, 'corridors')?.basis).toMatch(
      /^mean of the routes weighted by workers: \(3 × 100 \+ 1 × 300\) ÷ 400/,
    )
    // Saudi Arabia 2 + construction 2 + exposure 3 + routes 1.5 = 8.5.
    expect(r.inherent).toMatchObject({ uncapped: 8.5, score: 8.5, band: 'high' })
  })

  it('takes the riskiest route instead when the rubric says so', () => {
    const worst = structuredClone(rubric)
    if (worst.inherent.corridors) worst.inherent.corridors.weighting = 'worst'
    const r = run(employer, site({ 'A0.1': 'SA', 'A0.4': ['PK:100:origin_agency', 'NP:300:origin_agency'] }), worst)
    expect(factor(r, 'corridors')).toMatchObject({ points: 3, basis: expect.stringMatching(/^the riskiest route/) })
  })

  it('falls back to the rubric default for routes not given, and scores none for a site without migrants', () => {
    const missing = run(employer, site({ 'A0.4': undefined }))
    expect(factor(missing, 'corridors')).toMatchObject({
      input: 'not answered',
      points: rubric.inherent.corridors?.unanswered_points,
    })
    // Without migrant workers the routes question is not asked (A0.4's condition), so it adds nothing.
    const none = run(employer, site({ 'A0.3b': 0, 'A0.3c': 0, 'A0.4': undefined }))
    expect(factor(none, 'corridors')).toBeUndefined()
  })

  it('looks up no survey when the site country is not answered', () => {
    const r = run(employer, site({ 'A0.1': undefined, 'A0.4': ['PK:100:direct'] }))
    expect(factor(r, 'corridors')?.routes?.[0]?.basis).toContain('no corridor survey looked up')
  })

  it('ignores routes and internal migrants under a 2026.1 rubric, as before', () => {
    const answers = site({ 'A0.3c': 300, 'A0.4': ['MM:600:origin_agency'] })
    const r = run(employer, answers, rubric2026_1)
    expect(factor(r, 'corridors')).toBeUndefined()
    expect(factor(r, 'migrant_share')).toMatchObject({
      input: '60%',
      basis: '30% or more of workers are cross-border migrants',
    })
    expect(r.inherent).toEqual({
      score: 10,
      band: 'high',
      uncapped: 11,
      factors: r.inherent.factors,
    })
  })

  it('scores a 2026.1 assessment re-scored under 2026.2 without routes (its questionnaire has none)', () => {
    const { cq } = compiled('employer')
    if (cq.entries.some((e) => e.question.profile === 'corridors')) return // the shipped file is 2026.2 already
    const r = run(cq, site({ 'A0.4': 'Myanmar 600' }))
    expect(factor(r, 'corridors')).toBeUndefined()
    // 5 + exposure 3 = 8.
    expect(r.inherent).toMatchObject({ score: 8, band: 'high' })
  })
})

describe('inherent risk 2026.2: recruiters are scored by their routes, not their head office', () => {
  const agency = (office: string, extra: Changes = {}): Answers =>
    without({
      'B0.3': office,
      'B0.16': ['BD-SG:120:one_to_3_months'],
      'B0.9': ['construction'],
      ...extra,
    })

  it('scores a Singapore agency placing Bangladeshi construction workers as the same agency with a Bangladeshi address', () => {
    // 2026.1 (the shipped recruiter questionnaire without routes): the head office counts.
    const { cq } = compiled('recruiter', '2026.1')
    const old = (office: string) => run(cq, { 'B0.3': office, 'B0.9': ['construction'] }, rubric2026_1).inherent.score
    // Singapore (Tier 1) 1 + construction 2 = 3; Bangladesh (Tier 2) 2 + 2 = 4.
    expect([old('SG'), old('BD')]).toEqual([3, 4])

    const sg = run(recruiter, agency('SG'))
    const bd = run(recruiter, agency('BD'))
    // Country: the riskier of Bangladesh (2) and Singapore (1) = 2, for both. Sector: construction 2 (Singapore
    // has no listed construction goods). Routes: cost 3 (15.1 months, BBS 2020) + fee 2 (one to three months) = 5,
    // at most 3. 2 + 2 + 3 = 7.
    for (const r of [sg, bd]) {
      expect(points(r)).toEqual({ country: 2, sector: 2, corridors: 3 })
      expect(r.inherent).toMatchObject({ score: 7, band: 'high' })
    }
    expect(sg.inherent.score).toBe(bd.inherent.score)
    expect(factor(sg, 'country')).toMatchObject({ question: 'B0.16', input: 'Bangladesh to Singapore 120' })
    expect(factor(sg, 'country')?.basis).toContain('the head office (Singapore) does not count')
    expect(factor(sg, 'corridors')?.routes?.[0]?.basis).toContain('15.1 months of earnings')
    expect(factor(sg, 'corridors')?.routes?.[0]?.basis).toContain('fee workers paid 2')
  })

  it('checks listed goods in the countries workers are placed in', () => {
    // Bricks from Nepal are on the DOL list: construction 2 + 1 for a route placing workers in Nepal.
    const r = run(recruiter, agency('SG', { 'B0.16': ['IN-NP:50:none'] }))
    expect(factor(r, 'sector')).toMatchObject({ points: 3 })
    expect(factor(r, 'sector')?.basis).toContain('from Nepal listed for forced labour')
  })

  it('refuses a rubric that has no points for a fee band the recruiter questionnaire offers', () => {
    const fees = (r: Rubric) =>
      checkRubricAgainst(r, [employer.def, recruiter.def]).filter((p) => p.startsWith('inherent.'))
    expect(fees(rubric)).toEqual([])
    const odd = structuredClone(rubric)
    delete odd.inherent.corridor_fee_bands?.none
    const qid = recruiter.entries.find((e) => e.question.profile === 'corridors')?.question.id
    expect(fees(odd)).toEqual([`inherent.corridor_fee_bands: no points for recruiter ${qid} choice none`])
  })

  it('counts an unknown fee band as not known, and the head office while no routes are given', () => {
    const odd = structuredClone(rubric)
    delete odd.inherent.corridor_fee_bands?.one_to_3_months
    const r = run(recruiter, agency('SG'), odd)
    expect(factor(r, 'corridors')?.routes?.[0]?.basis).toContain('has no points in this rubric: counted as not known')
    const none = run(recruiter, agency('SG', { 'B0.16': undefined }))
    expect(factor(none, 'country')).toMatchObject({ points: 1, question: 'B0.3' })
    expect(factor(none, 'country')?.basis).toContain('no routes given, so the head office counts')
    expect(factor(none, 'corridors')).toMatchObject({ input: 'not answered', points: 2 })
  })
})

describe('inherent risk 2026.2: what is not a migration route', () => {
  it("leaves a brand's sourcing countries to the brand's own stage", () => {
    const raw = parse(readFileSync(join(DEFAULT_QUESTIONNAIRES_DIR, 'brand.yaml'), 'utf8')) as {
      sections: { id: string; questions: Record<string, unknown>[] }[]
    }
    const profile = raw.sections[0] as (typeof raw.sections)[number]
    if (!profile.questions.some((q) => q.profile === 'corridors'))
      profile.questions.push({
        id: 'C0.9',
        type: 'corridors',
        profile: 'corridors',
        required: false,
        text: 'Where do you source, by share of spend?',
        choices: [
          { id: 'garment_textile', label: 'Garments' },
          { id: 'electronics', label: 'Electronics' },
        ],
      })
    const loaded = loadQuestionnaireText(stringify(raw), 'brand.yaml')
    if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('; '))
    const cq = compileQuestionnaire(loaded.value.def)
    const qid = cq.entries.find((e) => e.question.profile === 'corridors')?.question.id as string
    const r = run(cq, { 'C0.1': 'GB', [qid]: ['BD:60:garment_textile'] as AnswerValue })
    expect(factor(r, 'corridors')).toBeUndefined()
  })
})

describe('the corridor cost table', () => {
  const table = loadRubricFile(join(DEFAULT_QUESTIONNAIRES_DIR, 'rubrics', 'default.yaml')).inherent.corridors?.costs

  it('names real countries, a survey and a basis for every figure', () => {
    expect(table?.corridors.length).toBeGreaterThan(0)
    for (const c of table?.corridors ?? []) {
      expect(COUNTRIES[c.origin], c.origin).toBeDefined()
      expect(COUNTRIES[c.destination], c.destination).toBeDefined()
      expect(c.origin).not.toBe(c.destination)
      expect(c.survey.length).toBeGreaterThan(10)
      expect(c.basis).toMatch(/÷|survey/)
    }
  })

  it('holds figures that follow from the averages its basis quotes', () => {
    // "average cost X ÷ average monthly earnings Y": the figure is X / Y to one decimal. Every row of today's
    // table is worked out so; a figure read directly from a survey table would say so instead.
    let checked = 0
    for (const c of table?.corridors ?? []) {
      const m = /([\d,]+) ÷ average monthly (?:earnings|income) ([\d,]+)/.exec(c.basis.replace(/US\$|Tk /g, ''))
      if (!m) continue
      checked++
      const [cost, earnings] = [Number((m[1] as string).replace(/,/g, '')), Number((m[2] as string).replace(/,/g, ''))]
      expect(Math.round((cost / earnings) * 10) / 10, `${c.origin}-${c.destination}`).toBe(c.months)
    }
    expect(checked).toBe(4)
  })
})
