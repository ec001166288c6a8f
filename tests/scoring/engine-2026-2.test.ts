import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Choice } from '../../src/questionnaire/questionnaire.schema.ts'
import { VERIFICATION_GAP } from '../../src/questionnaire/vocabulary.ts'
import { type Answers, answersArb, bestAnswers, compiled, PROFILE, rank, rubric, run } from '../helpers/scoring.ts'

/**
 * Risk model 2026.2 (docs/scoring.md §3.3, §5.1, §6.3, §7.1): proof decides how good a rating can be. Scored with
 * the shipped (current) questionnaires and rubric.
 */

const RUNS = Number(process.env.FAIRHIRE_PROPERTY_RUNS ?? 150)
const { cq } = compiled('employer')
const applicableCritical = (r: ReturnType<typeof run>) =>
  r.control.sections
    .flatMap((s) => s.questions)
    .filter((q) => q.severity === 'critical' && q.status !== 'not_applicable' && q.status !== 'excluded')
    .map((q) => q.question)

describe('risk model 2026.2: verification', () => {
  const best = bestAnswers(cq, PROFILE)
  const lowRisk: Answers = {
    ...best,
    'A0.1': 'DE',
    'A0.2': 'services_other',
    'A0.3b': 10,
    'A0.5': ['direct'],
    'A0.7': 'no',
    'A0.8': 'no',
  }

  it('rates every best answer with nothing evidenced Medium at best and lists a verification gap per critical claim', () => {
    const r = run('employer', lowRisk)
    const critical = applicableCritical(r)
    expect(critical.length).toBeGreaterThan(5)
    expect(r.redFlags).toEqual([])
    expect(r.rating).toBe('medium')
    expect(r.verification).toMatchObject({ required: critical.length, verified: 0, unverified: critical })
    expect(r.verification?.rule).toContain(`${critical.length} of ${critical.length} critical answers not verified`)
    const floor = r.ratingExplanation.floors.find((f) => f.rating === 'medium')
    expect(floor?.reason).toContain('at best medium')
    // Every critical claim (and every high one: no evidence either) is a verification gap with a deadline.
    const verification = r.gaps.filter((g) => g.gapType === VERIFICATION_GAP)
    for (const q of critical) expect(verification.map((g) => g.question)).toContain(q)
    for (const g of verification) {
      expect(g.days).toBe(rubric.verification?.deadline_days[g.severity as 'critical' | 'high'])
      expect(g.action).toMatch(/confidential interviews with workers from each\s+recruitment route/)
    }
  })

  it('rates the same answers Low once a reviewer verified every critical answer, even at high inherent risk', () => {
    const plain = run('employer', best)
    const critical = applicableCritical(plain)
    expect(plain.inherent.band).toBe('high')
    // Unverified at high inherent risk: High, with the caution beside it.
    expect(plain.rating).toBe('high')
    expect(plain.verification?.caution).toBe('Verify before relying on this rating')
    const verified = Object.fromEntries(critical.map((q) => [q, 'worker_interview']))
    const r = run('employer', best, { verified, evidence: Object.keys(best) })
    expect(r.verification).toMatchObject({ required: critical.length, verified: critical.length, unverified: [] })
    expect(r.ratingExplanation.matrix).toMatchObject({ inherentBand: 'high', row: 'low', controlBand: 'strong' })
    expect(r.rating).toBe('low')
    expect(r.verification?.caution).toBeNull()
    expect(r.gaps.filter((g) => g.gapType === VERIFICATION_GAP)).toEqual([])
  })

  it('counts evidence the reviewer accepted as verified, but not evidence alone', () => {
    const critical = applicableCritical(run('employer', lowRisk))
    const evidenceOnly = run('employer', lowRisk, { evidence: Object.keys(lowRisk) })
    expect(evidenceOnly.rating).toBe('medium')
    expect(evidenceOnly.gaps.filter((g) => g.gapType === VERIFICATION_GAP)).toEqual([])
    const accepted = run('employer', lowRisk, { evidence: Object.keys(lowRisk), accepted: critical })
    expect(accepted.rating).toBe('low')
  })
})

describe('risk model 2026.2: an unproven claim never earns more than the honest answer', () => {
  for (const id of ['employer', 'recruiter', 'brand']) {
    const { cq: q } = compiled(id)
    const claims = q.entries.flatMap((e) =>
      e.choices
        .filter((c) => c.unproven_as)
        .map((c) => ({ e, claim: c, honest: e.choiceById.get(c.unproven_as as string) as Choice })),
    )
    it(`${id}: each claim without evidence scores at most its honest alternative, and with evidence at least it`, () => {
      for (const { e, claim, honest } of claims) {
        const base = bestAnswers(q, id === 'employer' ? PROFILE : {})
        const points = (answers: Answers, evidence: string[] = []) =>
          run(id, answers, { evidence })
            .control.sections.flatMap((s) => s.questions)
            .find((x) => x.question === e.question.id)
        const honestRow = points({ ...base, [e.question.id]: honest.id })
        if (honestRow?.status === 'not_applicable') continue
        const unproven = points({ ...base, [e.question.id]: claim.id })
        const proven = points({ ...base, [e.question.id]: claim.id }, [e.question.id])
        expect(unproven?.credit).toBeLessThanOrEqual(honestRow?.credit ?? 0)
        expect(proven?.credit).toBeGreaterThanOrEqual(honestRow?.credit ?? 0)
      }
    })
  }
})

describe('risk model 2026.2: properties', () => {
  for (const id of ['employer', 'recruiter', 'brand']) {
    const { cq: q } = compiled(id)
    const scored = q.entries.filter((e) => e.scored).map((e) => e.question.id)
    it(`${id}: attaching evidence never lowers the rating or the control score`, () => {
      fc.assert(
        fc.property(
          answersArb(q),
          fc.subarray(scored),
          fc.subarray(scored, { maxLength: 3 }),
          (answers, base, more) => {
            const before = run(id, answers, { evidence: base })
            const after = run(id, answers, { evidence: [...new Set([...base, ...more])] })
            expect(rank(after.rating)).toBeLessThanOrEqual(rank(before.rating))
            expect(after.control.overall ?? 0).toBeGreaterThanOrEqual((before.control.overall ?? 0) - 1e-9)
          },
        ),
        { numRuns: RUNS },
      )
    })
    it(`${id}: a reviewer's verification never lowers the rating or the control score`, () => {
      fc.assert(
        fc.property(answersArb(q), fc.subarray(scored, { maxLength: 8 }), (answers, verify) => {
          const before = run(id, answers)
          const after = run(id, answers, { verified: Object.fromEntries(verify.map((v) => [v, 'document'])) })
          expect(rank(after.rating)).toBeLessThanOrEqual(rank(before.rating))
          expect(after.control.overall ?? 0).toBeGreaterThanOrEqual((before.control.overall ?? 0) - 1e-9)
        }),
        { numRuns: RUNS },
      )
    })
  }
})
