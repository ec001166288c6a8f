import { describe, expect, it } from 'vitest'
import type { Rubric } from '../../src/scoring/rubric.schema.ts'
import { bestAnswers, compiled, PROFILE, RUBRIC_2026_1, run as runShipped } from '../helpers/scoring.ts'

// The engine's rules as risk model 2026.1 states them (its rubric and questionnaire stay loadable, and its
// snapshots keep them). What 2026.2 adds is tested in engine-2026-2.test.ts.
const rubric = RUBRIC_2026_1
const run = (id: string, answers: Parameters<typeof runShipped>[1], opts: Parameters<typeof runShipped>[2] = {}) =>
  runShipped(id, answers, { version: '2026.1', ...opts })
const { cq } = compiled('employer', '2026.1')
const best = bestAnswers(cq)
const allEvidence = cq.entries.filter((e) => e.scored).map((e) => e.question.id)
const section = (r: ReturnType<typeof run>, id: string) => {
  const s = r.control.sections.find((x) => x.id === id)
  if (!s) throw new Error(`no section ${id}`)
  return s
}
const q = (r: ReturnType<typeof run>, id: string) => {
  const found = r.control.sections.flatMap((s) => s.questions).find((x) => x.question === id)
  if (!found) throw new Error(`no question ${id}`)
  return found
}
function variant(change: (r: Rubric) => void): Rubric {
  const copy = structuredClone(rubric)
  change(copy)
  return copy
}

describe('scoring engine: answer credits and weights', () => {
  it('gives the rubric credit to each scale answer and counts "don\'t know" against confidence', () => {
    // A1.4 is a medium scale question: no evidence rule applies.
    const base = { ...best }
    for (const [answer, credit] of [
      ['yes', 1],
      ['partly', 0.5],
      ['no', 0],
      ['dont_know', 0],
    ] as const) {
      const r = run('employer', { ...base, 'A1.4': answer }, { evidence: allEvidence })
      expect(q(r, 'A1.4')).toMatchObject({ credit, weight: 3, earned: 3 * credit, possible: 3 })
      expect(q(r, 'A1.4').status).toBe(answer === 'dont_know' ? 'dont_know' : 'counted')
      expect(r.confidence.dontKnow).toBe(answer === 'dont_know' ? 1 : 0)
    }
  })

  it('computes a section score as Σ weight × credit / Σ weight × 100', () => {
    const r = run('employer', { ...best, 'A1.4': 'no', 'A1.5': 'partly' }, { evidence: allEvidence })
    const s = section(r, 'A1')
    const counted = s.questions.filter((x) => x.possible > 0)
    const earned = counted.reduce((n, x) => n + x.weight * (x.credit ?? 0), 0)
    const possible = counted.reduce((n, x) => n + x.weight, 0)
    expect(s.earned).toBeCloseTo(earned)
    expect(s.possible).toBe(possible)
    expect(s.score).toBe(Math.round((earned / possible) * 1000) / 10)
    expect(s.score).toBeLessThan(100)
  })

  it('weights sections per the rubric in the overall score', () => {
    const r = run('employer', { ...best, 'A1.4': 'no' }, { evidence: allEvidence })
    const counted = r.control.sections.filter((s) => s.score !== null)
    const expected =
      counted.reduce((n, s) => n + s.weight * (s.score as number), 0) / counted.reduce((n, s) => n + s.weight, 0)
    expect(r.control.overall).toBe(Math.round(expected * 10) / 10)
    expect(section(r, 'A3').weight).toBe(20)
    expect(r.control.explanation).toContain('A3 100 × 20')
  })

  it('gives a multiple-choice question the share of good practices selected', () => {
    const multi = cq.entries.find((e) => e.scored && e.question.type === 'multi')
    if (!multi) throw new Error('employer has a scored multi question')
    const good = multi.choices.filter((c) => (c.credit ?? 0) > 0)
    const half = good.slice(0, Math.floor(good.length / 2)).map((c) => c.id)
    const r = run('employer', { ...best, [multi.question.id]: half }, { evidence: allEvidence })
    const total = good.reduce((n, c) => n + (c.credit ?? 0), 0)
    const got = good.filter((c) => half.includes(c.id)).reduce((n, c) => n + (c.credit ?? 0), 0)
    expect(q(r, multi.question.id).credit).toBeCloseTo(got / total)
  })
})

describe('scoring engine: evidence rule', () => {
  it('gives a "yes" on a critical or high question 0.75 and marks it unverified until evidence or verification', () => {
    // A8.5 is a critical scale question (housing can be left at any time).
    const answers = { ...best, 'A8.5': 'yes' }
    const without = run('employer', answers, { evidence: allEvidence.filter((x) => x !== 'A8.5') })
    expect(q(without, 'A8.5')).toMatchObject({ credit: 0.75, unverified: true })
    expect(without.confidence.unverified).toBe(1)
    expect(without.gaps.find((g) => g.question === 'A8.5')).toBeUndefined()
    const withEvidence = run('employer', answers, { evidence: allEvidence })
    expect(q(withEvidence, 'A8.5')).toMatchObject({ credit: 1, unverified: false, evidence: true })
    const verified = run('employer', answers, { evidence: [], verified: { 'A8.5': 'site_visit' } })
    expect(q(verified, 'A8.5')).toMatchObject({ credit: 1, unverified: false, verified: 'site_visit' })
    expect(section(withEvidence, 'A8').score).toBeGreaterThan(section(without, 'A8').score as number)
  })

  it('never lets evidence lower a score, and leaves medium questions alone', () => {
    const noEvidence = run('employer', { ...best, 'A1.4': 'yes' })
    expect(q(noEvidence, 'A1.4')).toMatchObject({ credit: 1, unverified: false })
    for (const answer of ['partly', 'no']) {
      const a = run('employer', { ...best, 'A8.5': answer })
      const b = run('employer', { ...best, 'A8.5': answer }, { evidence: ['A8.5'] })
      expect(q(b, 'A8.5').credit).toBe(q(a, 'A8.5').credit)
    }
  })

  it('applies to a choice marked as needing evidence, whatever the severity', () => {
    const r = run('employer', { ...best, 'A6.1': 'voluntary_safekeeping' })
    expect(q(r, 'A6.1')).toMatchObject({ credit: 0.75, unverified: true })
    expect(
      q(run('employer', { ...best, 'A6.1': 'voluntary_safekeeping' }, { evidence: ['A6.1'] }), 'A6.1').credit,
    ).toBe(1)
  })
})

describe('scoring engine: applicability', () => {
  it('counts an unanswered required question as "don\'t know" and leaves out unanswered optional ones', () => {
    const answers = { ...best }
    delete answers['A1.4']
    const r = run('employer', answers, { evidence: allEvidence })
    expect(q(r, 'A1.4')).toMatchObject({ status: 'unanswered', credit: 0, possible: 3 })
    expect(r.confidence.dontKnow).toBe(1)
    expect(r.gaps.map((g) => g.question)).toContain('A1.4')
  })

  it('leaves a section that does not apply out of numerator and denominator', () => {
    const noHousing = { ...best, 'A0.8': 'no' }
    const r = run('employer', noHousing, { evidence: allEvidence })
    const a8 = section(r, 'A8')
    expect(a8).toMatchObject({ applicable: false, score: null, possible: 0, earned: 0 })
    expect(a8.questions.every((x) => x.status === 'not_applicable')).toBe(true)
    // Bad answers stored for the skipped section change nothing.
    const withStale = run(
      'employer',
      { ...noHousing, 'A8.5': 'no', 'A8.1': 'life_threatening' },
      { evidence: allEvidence },
    )
    expect(withStale).toEqual(r)
  })
})

describe('scoring engine: inherent risk', () => {
  const factor = (r: ReturnType<typeof run>, f: string) => r.inherent.factors.find((x) => x.factor === f)

  it('2026.1: adds country, sector (with listed goods), migrant share, channels, tied permits and housing, capped at 10', () => {
    const r = run('employer', best, { evidence: allEvidence })
    expect(factor(r, 'country')).toMatchObject({ input: 'Thailand', points: 2 })
    expect(factor(r, 'country')?.basis).toContain('2025 TIP Report: Tier 2')
    // Seafood from Thailand (fish, shrimp) is on the DOL list: base 2 + 1.
    expect(factor(r, 'sector')).toMatchObject({ points: 3 })
    expect(factor(r, 'sector')?.basis).toMatch(/Fish, Shrimp/)
    expect(factor(r, 'migrant_share')).toMatchObject({ input: '60%', points: 2 })
    expect(factor(r, 'recruitment_channels')).toMatchObject({ points: 2 })
    expect(factor(r, 'tied_permits')?.points).toBe(1)
    expect(factor(r, 'employer_accommodation')?.points).toBe(1)
    expect(r.inherent.uncapped).toBe(11)
    expect(r.inherent.score).toBe(10)
    expect(r.inherent.band).toBe('high')
    // Nothing of 2026.2 in a 2026.1 result.
    expect(r.inherent.groups).toBeUndefined()
    expect(r.inherent.explanation).toBeUndefined()
    expect(r.inherent.factors.every((f) => f.group === undefined)).toBe(true)
  })

  it('2026.2: the same site, with migrant share, channels, tied permits and housing capped together at 3', () => {
    const current = bestAnswers(compiled('employer').cq)
    const r = runShipped('employer', current, {
      evidence: compiled('employer')
        .cq.entries.filter((e) => e.scored)
        .map((e) => e.question.id),
    })
    // Thailand 2 + seafood 3 + migration exposure min(3, 2 + 2 + 1 + 1) = 8: still high, but no longer at the cap.
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
    // The routes (A0.4) are not given: the rubric's default of 2 until they are. 2 + 3 + 3 + 2 = 10.
    expect(r.inherent).toMatchObject({ uncapped: 10, score: 10, band: 'high' })
    expect(factor(r, 'tied_permits')?.group).toBe('migration_exposure')
    expect(factor(r, 'country')?.group).toBeUndefined()
    expect(r.inherent.explanation).toMatch(
      /^country 2 \+ sector 3 \+ migration exposure 3 \(6, capped at 3\) \+ migration routes 2 = 10: high\. Priority of verification: high\./,
    )
  })

  it('uses the stated default for a country without data and for an unanswered country, never "low"', () => {
    // Tuvalu is not ranked in the 2025 TIP Report.
    const unranked = run('employer', { ...best, 'A0.1': 'TV' })
    expect(factor(unranked, 'country')).toMatchObject({
      points: rubric.inherent.country.default_points,
      basis: rubric.inherent.country.default_basis,
    })
    const answers = { ...best }
    delete answers['A0.1']
    expect(factor(run('employer', answers), 'country')).toMatchObject({
      input: 'not answered',
      points: rubric.inherent.country_unanswered_points,
    })
    expect(factor(run('employer', { ...best, 'A0.1': 'DE' }), 'country')?.points).toBe(1)
    expect(factor(run('employer', { ...best, 'A0.1': 'KP' }), 'country')?.points).toBe(4)
  })

  it('scores migrant share in bands and the riskiest recruitment channel', () => {
    const share = (migrants: number) =>
      factor(run('employer', { ...best, 'A0.3': 1000, 'A0.3b': migrants }), 'migrant_share')?.points
    expect([share(0), share(49), share(50), share(299), share(300), share(1000)]).toEqual([0, 0, 1, 1, 2, 2])
    const channel = (c: string[]) => factor(run('employer', { ...best, 'A0.5': c }), 'recruitment_channels')?.points
    expect(channel(['direct'])).toBe(0)
    expect(channel(['direct', 'destination_agency'])).toBe(1)
    expect(channel(['direct', 'informal_broker'])).toBe(2)
  })

  it('adds a point when more than a quarter of the answers are "don\'t know"', () => {
    const r = run('employer', PROFILE)
    expect(r.confidence.dontKnowShare).toBeGreaterThan(0.25)
    expect(factor(r, 'dont_know')?.points).toBe(1)
    expect(factor(run('employer', best, { evidence: allEvidence }), 'dont_know')).toBeUndefined()
  })
})

describe('scoring engine: rating and red flags', () => {
  const lowRisk = {
    ...best,
    'A0.1': 'DE',
    'A0.2': 'services_other',
    'A0.3b': 10,
    'A0.5': ['direct'],
    'A0.7': 'no',
    'A0.8': 'no',
  }

  it('reads the rating from the inherent × control matrix when there is no red flag', () => {
    const r = run('employer', lowRisk, { evidence: allEvidence })
    expect(r.inherent.band).toBe('low')
    expect(r.control.band).toBe('strong')
    expect(r.rating).toBe('low')
    expect(r.ratingExplanation.floors).toEqual([])
    expect(r.gaps).toEqual([])
    const high = run('employer', best, { evidence: allEvidence })
    expect(high.ratingExplanation.matrix).toEqual({ inherentBand: 'high', controlBand: 'strong', rating: 'medium' })
    expect(high.rating).toBe('medium')
  })

  it('lifts any red flag to at least High, whatever the average', () => {
    const r = run('employer', { ...lowRisk, 'A6.1': 'held_restricted' }, { evidence: allEvidence })
    expect(r.control.band).toBe('strong')
    expect(r.rating).toBe('high')
    expect(r.redFlags).toMatchObject([
      { question: 'A6.1', choice: 'held_restricted', indicator: 'retention_of_identity_documents', status: 'active' },
    ])
    expect(r.gaps[0]).toMatchObject({ question: 'A6.1', redFlag: true, gapType: 'G3' })
    expect(r.ratingExplanation.floors).toEqual([{ rating: 'high', reason: '1 red flag: at least high' }])
  })

  it('makes red flags in two indicator families Critical', () => {
    const r = run('employer', { ...lowRisk, 'A6.1': 'held_restricted', 'A7.2': 'yes' }, { evidence: allEvidence })
    expect(new Set(r.redFlags.map((f) => f.indicator))).toEqual(
      new Set(['retention_of_identity_documents', 'withholding_of_wages']),
    )
    expect(r.rating).toBe('critical')
  })

  it('makes one red flag of violence, threats, child recruitment or confinement Critical alone', () => {
    for (const [question, answer] of [
      ['A6.7', 'yes'],
      ['A11.5', 'yes'],
      ['A6.3', 'confined'],
      ['A6.8', 'reported_open'],
    ] as const) {
      const r = run('employer', { ...lowRisk, [question]: answer }, { evidence: allEvidence })
      expect(r.redFlags.map((f) => `${f.question}:${f.choice}`)).toEqual([`${question}:${answer}`])
      expect(r.rating, `${question}=${answer}`).toBe('critical')
    }
    // A movement restriction short of confinement is a red flag, but not Critical by itself.
    expect(run('employer', { ...lowRisk, 'A6.3': 'permission_or_curfew' }, { evidence: allEvidence }).rating).toBe(
      'high',
    )
  })

  it('downgrades fee red flags under a dated repayment plan and clears them once repayment is evidenced', () => {
    const fees = { ...lowRisk, 'A3.1': 'yes_some', 'A3.2c': 'worker_paid', 'A6.1': 'held_restricted' }
    const planned = run('employer', { ...fees, 'A3.8': 'not_planned' }, { evidence: allEvidence })
    expect(planned.rating).toBe('critical')
    const dated = run('employer', { ...fees, 'A3.8': 'dated_plan' }, { evidence: allEvidence })
    expect(dated.redFlags.filter((f) => f.question.startsWith('A3.')).map((f) => f.status)).toEqual([
      'downgraded',
      'downgraded',
    ])
    // Documents + fees would be two families; with the fee flags downgraded only documents count.
    expect(dated.rating).toBe('high')
    const repaidNoProof = run(
      'employer',
      { ...fees, 'A3.8': 'fully_repaid' },
      { evidence: allEvidence.filter((x) => x !== 'A3.8') },
    )
    expect(
      repaidNoProof.redFlags.filter((f) => f.question.startsWith('A3.')).every((f) => f.status === 'downgraded'),
    ).toBe(true)
    const repaid = run(
      'employer',
      { ...fees, 'A3.8': 'fully_repaid', 'A6.1': 'workers_hold' },
      { evidence: allEvidence },
    )
    expect(repaid.redFlags.map((f) => f.status)).toEqual(['cleared', 'cleared'])
    expect(repaid.ratingExplanation.floors).toEqual([])
  })

  it("lets a reviewer's suspected red flag hold the rating at High until verified", () => {
    const r = run('employer', lowRisk, {
      evidence: allEvidence,
      suspected: [{ reason: 'zero fees reported but origin sub-agents used' }],
    })
    expect(r.rating).toBe('high')
    expect(r.suspectedFlags).toEqual([
      { question: null, indicator: null, reason: 'zero fees reported but origin sub-agents used' },
    ])
  })

  it('follows a derived rubric: other weights, other matrix', () => {
    const strict = variant((x) => {
      x.red_flags.any = 'critical'
      x.severity_weights.medium = 1
    })
    const r = run('employer', { ...lowRisk, 'A6.1': 'held_restricted' }, { evidence: allEvidence, rubric: strict })
    expect(r.rating).toBe('critical')
    expect(q(r, 'A1.4').weight).toBe(1)
  })
})

describe('scoring engine: confidence', () => {
  it('is low above 15% "don\'t know", medium above 5% or with mostly unverified answers, else high', () => {
    expect(run('employer', best, { evidence: allEvidence }).confidence.level).toBe('high')
    expect(run('employer', best).confidence).toMatchObject({ level: 'medium' })
    expect(run('employer', PROFILE).confidence.level).toBe('low')
  })
})
