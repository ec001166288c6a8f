import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseCondition, references } from '../../src/questionnaire/condition.ts'
import type { QuestionEntry } from '../../src/questionnaire/model.ts'
import type { Choice } from '../../src/questionnaire/questionnaire.schema.ts'
import { scoreAnswer } from '../../src/scoring/stages/question-points.ts'
import { type Answers, answersArb, bestAnswers, compiled, rank, rubric, run } from '../helpers/scoring.ts'

const RUNS = Number(process.env.FAIRHIRE_PROPERTY_RUNS ?? 150)

for (const id of ['employer', 'recruiter', 'brand']) {
  const { cq } = compiled(id)
  const arb = answersArb(cq)

  // Questions that some condition reads: changing them changes which questions are asked, which is a
  // different questionnaire rather than a better answer, so the monotonicity property leaves them out.
  const gating = new Set<string>()
  for (const s of cq.def.sections) {
    if (s.when) for (const r of references(parseCondition(s.when))) gating.add(r.question)
    for (const x of s.questions) if (x.when) for (const r of references(parseCondition(x.when))) gating.add(r.question)
  }
  const candidates = cq.entries.filter(
    (e) => e.scored && !gating.has(e.question.id) && (e.question.type === 'single' || e.question.type === 'scale'),
  )

  /**
   * Strictly better: no red flag where there was one, or the same red-flag status and more credit as the engine
   * counts it with or without evidence (an unproven claim earns what its honest alternative earns, 2026.2).
   * "Don't know" is never an improvement: it may hide exactly the red flag it replaces.
   */
  const creditOf = (e: QuestionEntry, c: Choice, withEvidence: boolean): number =>
    scoreAnswer(e, rubric, c.id, withEvidence, null).qs.credit ?? 0
  const better = (e: QuestionEntry, a: Choice, b: Choice, withEvidence: boolean): boolean => {
    if (a.not_applicable || b.not_applicable || b.dont_know) return false
    const rfA = a.red_flag !== undefined
    const rfB = b.red_flag !== undefined
    if (rfA !== rfB) return rfA && !rfB
    return creditOf(e, b, withEvidence) > creditOf(e, a, withEvidence)
  }
  const improvementsWith = (withEvidence: boolean) =>
    candidates.flatMap((e) =>
      e.choices.flatMap((a) =>
        e.choices
          .filter((b) => better(e, a, b, withEvidence))
          .map((b) => ({ q: e.question.id, from: a.id, to: b.id, withEvidence })),
      ),
    )
  const improvements = [...improvementsWith(true), ...improvementsWith(false)]

  describe(`scoring properties: ${id}`, () => {
    it('improving any single answer never raises the rating or lowers the control score', () => {
      fc.assert(
        fc.property(arb, fc.constantFrom(...improvements), (answers, imp) => {
          const evidence = imp.withEvidence ? candidates.map((e) => e.question.id) : []
          const worse = run(id, { ...answers, [imp.q]: imp.from }, { evidence })
          const improved = run(id, { ...answers, [imp.q]: imp.to }, { evidence })
          const applies =
            worse.control.sections.flatMap((s) => s.questions).find((x) => x.question === imp.q)?.status !==
            'not_applicable'
          if (!applies) return
          expect(rank(improved.rating)).toBeLessThanOrEqual(rank(worse.rating))
          expect(improved.control.overall ?? 0).toBeGreaterThanOrEqual((worse.control.overall ?? 0) - 1e-9)
          expect(improved.inherent.score).toBeLessThanOrEqual(worse.inherent.score)
        }),
        { numRuns: RUNS },
      )
    })

    it('any active red flag gives at least High', () => {
      fc.assert(
        fc.property(arb, (answers) => {
          const r = run(id, answers)
          if (r.redFlags.some((f) => f.status !== 'cleared'))
            expect(rank(r.rating)).toBeGreaterThanOrEqual(rank('high'))
        }),
        { numRuns: RUNS },
      )
    })

    it('all-best answers with no red flag give no gaps and no red flags', () => {
      fc.assert(
        fc.property(arb, (random) => {
          // Keep the random profile (and so the applicability), answer every scored question at its best.
          const profile: Answers = {}
          for (const e of cq.entries)
            if (!e.scored && random[e.question.id] !== undefined)
              profile[e.question.id] = random[e.question.id] as never
          const answers = bestAnswers(cq, profile)
          const r = run(id, answers, { evidence: Object.keys(answers) })
          expect(r.redFlags).toEqual([])
          expect(r.gaps).toEqual([])
          for (const s of r.control.sections) if (s.score !== null) expect(s.score).toBe(100)
        }),
        { numRuns: Math.ceil(RUNS / 3) },
      )
    })

    it('answers stored for a section or question that does not apply change nothing', () => {
      fc.assert(
        fc.property(arb, arb, (answers, noise) => {
          const base = run(id, answers)
          const skipped = base.control.sections
            .flatMap((s) => s.questions)
            .filter((x) => x.status === 'not_applicable')
            .map((x) => x.question)
          const extra: Answers = { ...answers }
          for (const qid of skipped) if (noise[qid] !== undefined) extra[qid] = noise[qid] as never
          expect(run(id, extra)).toEqual(base)
        }),
        { numRuns: RUNS },
      )
    })

    it('the same input always gives the same output', () => {
      fc.assert(
        fc.property(arb, (answers) => {
          const a = run(id, answers, { evidence: Object.keys(answers).slice(0, 5) })
          const b = run(id, structuredClone(answers), { evidence: Object.keys(answers).slice(0, 5) })
          expect(b).toEqual(a)
          expect(JSON.stringify(b)).toBe(JSON.stringify(a))
        }),
        { numRuns: Math.ceil(RUNS / 3) },
      )
    })
  })
}
