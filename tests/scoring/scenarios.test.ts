import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_QUESTIONNAIRES_DIR, PROJECT_ROOT } from '../../src/paths.ts'
import { checkAnswers, type RawAnswer } from '../../src/questionnaire/answers.ts'
import { loadQuestionnaireDir } from '../../src/questionnaire/loader.ts'
import { applicability, compileQuestionnaire } from '../../src/questionnaire/model.ts'
import { score } from '../../src/scoring/engine.ts'
import type { QuestionScore, ScoreResult, SectionScore } from '../../src/scoring/result.schema.ts'
import { hashRubric, loadRubricFile } from '../../src/scoring/rubric.loader.ts'

/**
 * Whole-site scenarios: each fixture is a complete employer self-assessment of a recognisable site, scored
 * with the shipped employer questionnaire and the default rubric. The expected numbers are derived by hand
 * from questionnaires/rubrics/default.yaml (credits, severity and section weights, the evidence rule, the
 * inherent-risk tables, the matrix and the red-flag floors); the comments show the arithmetic.
 */

type Fixture = {
  answers: Record<string, RawAnswer>
  evidence: string[]
  verified: Record<string, string>
}

const SCENARIOS_DIR = join(PROJECT_ROOT, 'tests', 'fixtures', 'scenarios')

const loaded = loadQuestionnaireDir(DEFAULT_QUESTIONNAIRES_DIR).find((q) => q.def.id === 'employer')
if (!loaded) throw new Error('the employer questionnaire is not in questionnaires/')
const cq = compileQuestionnaire(loaded.def)
const rubric = loadRubricFile(join(DEFAULT_QUESTIONNAIRES_DIR, 'rubrics', 'default.yaml'))
const rubricHash = hashRubric(rubric)

function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(SCENARIOS_DIR, `${name}.json`), 'utf8')) as Fixture
}

/** The fixture with some answers replaced and some evidence removed. */
function variant(fx: Fixture, answers: Record<string, RawAnswer>, dropEvidence: string[] = []): Fixture {
  return {
    answers: { ...fx.answers, ...answers },
    evidence: fx.evidence.filter((q) => !dropEvidence.includes(q)),
    verified: { ...fx.verified },
  }
}

function check(fx: Fixture) {
  return checkAnswers(cq, fx.answers, fx.evidence, fx.verified)
}

function run(fx: Fixture): ScoreResult {
  const checked = check(fx)
  if (checked.problems.length > 0) {
    throw new Error(`answers rejected: ${checked.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`)
  }
  return score({
    questionnaire: cq,
    questionnaireHash: loaded?.hash ?? '',
    rubric,
    rubricHash,
    answers: checked.values,
    evidence: checked.evidence,
    verified: checked.verified,
  })
}

/** Questions that apply to the site (given its own answers) but were left blank. */
function unansweredApplicable(fx: Fixture): string[] {
  const { values } = check(fx)
  const app = applicability(cq, values)
  return cq.entries
    .filter((e) => app.questions.get(e.question.id) && !values.has(e.question.id))
    .map((e) => e.question.id)
}

const redFlagsOf = (r: ScoreResult) =>
  r.redFlags.map((f) => ({ answer: `${f.question}:${f.choice}`, indicator: f.indicator, status: f.status }))

const factorsOf = (r: ScoreResult) => Object.fromEntries(r.inherent.factors.map((f) => [f.factor, f.points]))

function sectionOf(r: ScoreResult, id: string): SectionScore {
  const s = r.control.sections.find((x) => x.id === id)
  if (!s) throw new Error(`no section ${id}`)
  return s
}

function questionOf(r: ScoreResult, id: string): QuestionScore {
  const q = r.control.sections.flatMap((s) => s.questions).find((x) => x.question === id)
  if (!q) throw new Error(`no scored question ${id}`)
  return q
}

function choiceOf(question: string, choice: string) {
  const c = cq.entries.find((e) => e.question.id === question)?.choiceById.get(choice)
  if (!c) throw new Error(`${question} has no choice ${choice}`)
  return c
}

const questionsWithStatus = (r: ScoreResult, status: QuestionScore['status']) =>
  r.control.sections.flatMap((s) => s.questions.filter((q) => q.status === status).map((q) => q.question))

describe('scenario: well-run electronics site in Penang, Malaysia', () => {
  const fx = fixture('well-run')
  const r = run(fx)

  it('is a complete answer set that checkAnswers accepts', () => {
    expect(check(fx).problems).toEqual([])
    expect(unansweredApplicable(fx)).toEqual([])
  })

  it('is rated Medium, not Low: the context keeps inherent risk high however good the controls', () => {
    // Malaysia (2025 TIP Tier 2) 2; electronics base 2 + 1 because electronics from Malaysia are on the DOL
    // forced-labour list; 540 of 1,200 workers (45%) are migrants, above 30%: 2; an origin-country agency is
    // the riskiest channel: 2; tied permits 1; company hostels 1. 11 points, capped at 10: high (7 or more).
    expect(factorsOf(r)).toEqual({
      country: 2,
      sector: 3,
      migrant_share: 2,
      recruitment_channels: 2,
      tied_permits: 1,
      employer_accommodation: 1,
    })
    expect(r.inherent).toMatchObject({ uncapped: 11, score: 10, band: 'high' })
    expect(r.control).toMatchObject({ overall: 99.3, band: 'strong' })
    // Matrix: high inherent × strong controls = medium, and no red flag sets a floor.
    expect(r.ratingExplanation).toEqual({
      matrix: { inherentBand: 'high', controlBand: 'strong', rating: 'medium' },
      floors: [],
    })
    expect(r.rating).toBe('medium')
  })

  it('scores every section at 100 except the two with a known shortfall', () => {
    // A6: A6.8 "reported and remedied" earns 0.75 of a critical weight of 10: 75.5 of 78 = 96.8.
    // A11: A11.1 (high, 5) and A11.2 (medium, 3) answered "partly": 27 of 31 = 87.1.
    // A12 (safety) and A13 (transport) are not in the rubric's section weights, so each weighs 1.
    // Overall: (83 × 100 + 15 × 96.8 + 2 × 87.1 + 1 × 100 + 1 × 100) / 102 = 10,126.2 / 102 = 99.3.
    const scores = Object.fromEntries(r.control.sections.map((s) => [s.id, s.score]))
    expect(scores).toEqual({
      A1: 100,
      A2: 100,
      A3: 100,
      A4: 100,
      A5: 100,
      A6: 96.8,
      A7: 100,
      A8: 100,
      A9: 100,
      A10: 100,
      A11: 87.1,
      A12: 100,
      A13: 100,
    })
  })

  it('has no red flag and only three gaps, none of them for missing evidence', () => {
    expect(r.redFlags).toEqual([])
    expect(r.gaps.map((g) => [g.question, g.credit])).toEqual([
      ['A6.8', 0.75],
      ['A11.1', 0.5],
      ['A11.2', 0.5],
    ])
    expect(questionsWithStatus(r, 'unanswered')).toEqual([])
  })

  it('earns full credit on critical and high answers because evidence is attached', () => {
    for (const id of ['A1.1', 'A3.1', 'A3.3', 'A6.3', 'A6.6', 'A6.9', 'A7.6', 'A8.5', 'A12.6', 'A13.4']) {
      expect(questionOf(r, id), id).toMatchObject({ credit: 1, unverified: false, evidence: true })
    }
    expect(questionOf(r, 'A8.1')).toMatchObject({ credit: 1, verified: 'site_visit' })
  })

  it('has high confidence: no "don\'t know" and nothing unverified', () => {
    // 115 scored questions; A3.8 is not asked (no worker paid), A3.2k and A3.4 are answered "not applicable".
    expect(r.confidence).toEqual({
      level: 'high',
      applicable: 112,
      dontKnow: 0,
      unverified: 0,
      dontKnowShare: 0,
      unverifiedShare: 0,
    })
    expect(questionOf(r, 'A3.8').status).toBe('not_applicable')
    expect(questionsWithStatus(r, 'excluded')).toEqual(['A3.2k', 'A3.4'])
  })
})

describe('scenario: food plant in Lincolnshire, UK, that holds passports', () => {
  const fx = fixture('passports-held')
  const r = run(fx)

  it('is a complete answer set that checkAnswers accepts', () => {
    expect(check(fx).problems).toEqual([])
    expect(unansweredApplicable(fx)).toEqual([])
  })

  it('flags retention of identity documents, from A6.1 and A5.7 (documents kept after the permit was issued)', () => {
    expect(redFlagsOf(r)).toEqual([
      { answer: 'A5.7:no', indicator: 'retention_of_identity_documents', status: 'active' },
      { answer: 'A6.1:held_restricted', indicator: 'retention_of_identity_documents', status: 'active' },
    ])
    expect(r.redFlags.every((f) => !f.escalates)).toBe(true)
    expect(r.gaps.slice(0, 2).map((g) => [g.question, g.redFlag])).toEqual([
      ['A6.1', true],
      ['A5.7', true],
    ])
  })

  it('is rated High: the red-flag floor says so, and so does the matrix, since nothing it claims was checked', () => {
    // United Kingdom (Tier 1) 1; food processing 1; 190 of 480 (40%) migrants: 2; a labour provider is the
    // riskiest channel: 1; sponsored visas are tied: 1; no housing: 0. 6 points: medium (4 to 6).
    expect(factorsOf(r)).toEqual({
      country: 1,
      sector: 1,
      migrant_share: 2,
      recruitment_channels: 1,
      tied_permits: 1,
      employer_accommodation: 0,
    })
    expect(r.inherent).toMatchObject({ uncapped: 6, score: 6, band: 'medium' })
    // Sixteen answers say "as far as we know, but we have not checked" (A2.9, A3.1, A3.3, A3.5, A6.3, A6.4, A6.7,
    // A6.8, A7.2, A7.3, A7.5, A9.10, A10.2, A11.5, A12.5, A12.6): each earns its honest 0.5, not the full credit a
    // plain "no" earned in 2026.1, and controls are weak (40 to 60).
    expect(r.control).toMatchObject({ overall: 54.8, band: 'weak' })
    // Medium × weak = high. Any active red flag: at least high. One indicator family only, and document
    // retention is not an escalating indicator, so not critical.
    expect(r.ratingExplanation.matrix).toEqual({ inherentBand: 'medium', controlBand: 'weak', rating: 'high' })
    expect(r.ratingExplanation.floors.map((f) => f.rating)).toEqual(['high'])
    expect(r.rating).toBe('high')
  })

  it('had the site checked what it says as far as it knows, the matrix alone would say Medium, and the floor High', () => {
    const claims: Record<string, string> = {
      'A2.9': 'no_controls',
      'A3.1': 'no_verified',
      'A3.3': 'no_checked',
      'A3.5': 'no_checked',
      'A6.3': 'free',
      'A6.4': 'no_checked',
      'A6.7': 'no_checked',
      'A6.8': 'none_checked',
      'A7.2': 'no_checked',
      'A7.3': 'no_checked',
      'A7.5': 'no_loans',
      'A9.10': 'no_checked',
      'A10.2': 'paid_in_full',
      'A11.5': 'no_checked',
      'A12.5': 'covered_checked',
      'A12.6': 'yes_checked',
    }
    for (const [id, claim] of Object.entries(claims)) expect(choiceOf(id, claim).unproven_as, id).toBe(fx.answers[id])
    const checked = run({ ...variant(fx, claims), evidence: [...fx.evidence, ...Object.keys(claims)] })
    // Each of the sixteen, now evidenced, earns 1 instead of 0.5: half the weight of 15 critical questions and of
    // one high one (A12.5) comes back across seven sections.
    expect(checked.control).toMatchObject({ overall: 68.4, band: 'adequate' })
    expect(checked.ratingExplanation.matrix.rating).toBe('medium')
    expect(checked.ratingExplanation.floors.map((f) => f.rating)).toEqual(['high'])
    expect(checked.rating).toBe('high')
  })

  it('leaves housing out: A8 does not apply without employer accommodation', () => {
    const a8 = sectionOf(r, 'A8')
    expect(a8).toMatchObject({ applicable: false, score: null, possible: 0, counted: 0 })
    expect(a8.questions.every((q) => q.status === 'not_applicable' && q.weight === 0)).toBe(true)
    // The overall score is the weighted mean of the other eleven sections: A8 (5) and A13 (transport, 1: the
    // site provides none) drop out of 102.
    expect(sectionOf(r, 'A13')).toMatchObject({ applicable: false, score: null })
    expect(r.control.explanation).toContain('/ 96 = 54.8')
  })

  it('gives 0.75 to unevidenced "yes" answers on critical and high questions', () => {
    expect(questionOf(r, 'A6.6')).toMatchObject({ credit: 0.75, unverified: true })
    expect(questionOf(r, 'A7.1')).toMatchObject({ credit: 1, unverified: false, evidence: true })
    expect(questionsWithStatus(r, 'dont_know')).toEqual(['A3.2b', 'A3.2o', 'A3.7'])
  })

  it('has high confidence: 3 of 98 "don\'t know" (not above 5%), 11 of 98 unverified (not above 25%)', () => {
    expect(r.confidence.dontKnowShare).toBeLessThanOrEqual(rubric.confidence.medium_above_dont_know_share)
    expect(r.confidence.unverifiedShare).toBeLessThanOrEqual(rubric.confidence.medium_above_unverified_share)
    // 115 scored questions, less A8 (6) and A13 (5), A3.8 (no worker paid) and five "not applicable": 98.
    expect(r.confidence).toEqual({
      level: 'high',
      applicable: 98,
      dontKnow: 3,
      unverified: 11,
      dontKnowShare: 0.031,
      unverifiedShare: 0.112,
    })
  })
})

describe('scenario: seafood plant in Samut Sakhon, Thailand, where workers paid sub-agents', () => {
  const fx = fixture('subagent-fees')
  const r = run(fx)

  it('is a complete answer set that checkAnswers accepts', () => {
    expect(check(fx).problems).toEqual([])
    expect(unansweredApplicable(fx)).toEqual([])
  })

  it('flags every fee workers paid, the debt and the missing repayment, all as debt bondage', () => {
    expect(redFlagsOf(r)).toEqual([
      { answer: 'A3.1:yes_most', indicator: 'debt_bondage', status: 'active' },
      { answer: 'A3.2b:worker_paid', indicator: 'debt_bondage', status: 'active' },
      { answer: 'A3.2c:worker_paid', indicator: 'debt_bondage', status: 'active' },
      { answer: 'A3.2g:worker_paid', indicator: 'debt_bondage', status: 'active' },
      { answer: 'A3.2o:worker_paid', indicator: 'debt_bondage', status: 'active' },
      { answer: 'A3.2p:worker_paid', indicator: 'debt_bondage', status: 'active' },
      { answer: 'A3.7:over_50', indicator: 'debt_bondage', status: 'active' },
      { answer: 'A3.8:not_planned', indicator: 'debt_bondage', status: 'active' },
    ])
    // "No repayment planned" is neither a dated plan nor full repayment: nothing is downgraded.
    expect(r.redFlags.every((f) => f.statusReason === '' && !f.escalates)).toBe(true)
  })

  it('is rated High, not Critical: eight red flags but a single indicator family', () => {
    // Thailand (Tier 2) 2; seafood base 2 + 1 (fish and shrimp from Thailand are listed): 3; 2,050 of 2,400
    // (85%) migrants: 2; origin agencies and informal brokers: 2; tied permits 1; housing 1. 11, capped at 10.
    expect(factorsOf(r)).toEqual({
      country: 2,
      sector: 3,
      migrant_share: 2,
      recruitment_channels: 2,
      tied_permits: 1,
      employer_accommodation: 1,
    })
    expect(r.inherent).toMatchObject({ uncapped: 11, score: 10, band: 'high' })
    // Controls are weak (40 to 60), not very weak: the matrix gives high, not critical.
    expect(r.control).toMatchObject({ overall: 43.9, band: 'weak' })
    expect(r.ratingExplanation.matrix.rating).toBe('high')
    // The red flags add the "any red flag" floor (high) only: the several-families floor needs 2 families.
    expect(new Set(r.redFlags.map((f) => f.indicator)).size).toBeLessThan(rubric.red_flags.families_threshold)
    expect(r.ratingExplanation.floors).toEqual([{ rating: 'high', reason: '8 red flags: at least high' }])
    expect(r.rating).toBe('high')
  })

  it('scores the fees section on what workers paid', () => {
    // Possible 133: A3.1, A3.3, A3.5, A3.8 critical (4 × 10); 15 cost items, A3.4, A3.6, A3.7 high (18 × 5);
    // A3.9 medium (3); three cost items did not arise. Earned 60: A3.3 and A3.5 "no, as far as we know" (0.5 ×
    // 10 each: 10) and ten employer-paid cost items (50). 60 / 133 = 45.1.
    expect(sectionOf(r, 'A3')).toMatchObject({ score: 45.1, earned: 60, possible: 133, counted: 23 })
    expect(questionsWithStatus(r, 'excluded')).toEqual(['A3.2e', 'A3.2j', 'A3.2k'])
  })

  it('puts the red-flag gaps first, critical before high', () => {
    expect(r.gaps.slice(0, 8).map((g) => g.question)).toEqual([
      'A3.1',
      'A3.8',
      'A3.2b',
      'A3.2c',
      'A3.2g',
      'A3.2o',
      'A3.2p',
      'A3.7',
    ])
    expect(r.gaps.slice(8).some((g) => g.redFlag)).toBe(false)
  })

  it('has high confidence: answered without "don\'t know", 4 unverified of 112', () => {
    // Unevidenced "yes" on high or critical scale questions: A5.7, A6.6, A8.5 and A12.4.
    expect(r.confidence).toEqual({
      level: 'high',
      applicable: 112,
      dontKnow: 0,
      unverified: 4,
      dontKnowShare: 0,
      unverifiedShare: 0.036,
    })
  })
})

describe('scenario: glove factory in Klang, Malaysia, that found fees and repaid them', () => {
  const fx = fixture('fees-repaid')
  const r = run(fx)

  /** Repayment under way on a dated plan: the costs some workers paid are not all repaid yet. */
  const datedPlan = variant(fx, {
    'A3.8': 'dated_plan',
    'A3.2b': 'worker_paid',
    'A3.2g': 'worker_paid',
    'A3.2o': 'worker_paid',
    'A3.4': 'partly',
  })

  it('is a complete answer set that checkAnswers accepts, and so are its variants', () => {
    expect(check(fx).problems).toEqual([])
    expect(unansweredApplicable(fx)).toEqual([])
    expect(check(datedPlan).problems).toEqual([])
  })

  it('clears the fee red flag once full repayment is evidenced', () => {
    expect(redFlagsOf(r)).toEqual([{ answer: 'A3.1:yes_some', indicator: 'debt_bondage', status: 'cleared' }])
    expect(r.redFlags[0]?.statusReason).toBe('A3.8: fees repaid in full, with evidence')
    // The costs workers advanced and got back are "reimbursed": half credit, no red flag.
    for (const id of ['A3.2b', 'A3.2g', 'A3.2o']) expect(questionOf(r, id).credit, id).toBe(0.5)
    expect(questionOf(r, 'A3.8')).toMatchObject({ credit: 1, evidence: true, unverified: false })
  })

  it('is rated Medium once cleared: only the matrix counts', () => {
    // Malaysia 2; other manufacturing base 1 + 1 (rubber gloves from Malaysia are listed); 2,100 of 3,000
    // (70%) migrants: 2; origin agencies 2; tied permits 1; hostels 1. 10: high.
    expect(factorsOf(r)).toEqual({
      country: 2,
      sector: 2,
      migrant_share: 2,
      recruitment_channels: 2,
      tied_permits: 1,
      employer_accommodation: 1,
    })
    expect(r.inherent).toMatchObject({ uncapped: 10, score: 10, band: 'high' })
    expect(r.control).toMatchObject({ overall: 94.1, band: 'strong' })
    expect(r.ratingExplanation).toEqual({
      matrix: { inherentBand: 'high', controlBand: 'strong', rating: 'medium' },
      floors: [],
    })
    expect(r.rating).toBe('medium')
    expect(r.confidence.level).toBe('high')
  })

  it('clears the flag just the same when a reviewer verified the repayment instead of evidence', () => {
    const v = run({ ...variant(fx, {}, ['A3.8']), verified: { 'A3.8': 'document' } })
    expect(redFlagsOf(v)).toEqual([{ answer: 'A3.1:yes_some', indicator: 'debt_bondage', status: 'cleared' }])
    expect(v.rating).toBe('medium')
  })

  it('downgrades the fee red flags under a dated repayment plan, with a floor of High', () => {
    const d = run(datedPlan)
    expect(redFlagsOf(d)).toEqual([
      { answer: 'A3.1:yes_some', indicator: 'debt_bondage', status: 'downgraded' },
      { answer: 'A3.2b:worker_paid', indicator: 'debt_bondage', status: 'downgraded' },
      { answer: 'A3.2g:worker_paid', indicator: 'debt_bondage', status: 'downgraded' },
      { answer: 'A3.2o:worker_paid', indicator: 'debt_bondage', status: 'downgraded' },
    ])
    expect(d.redFlags.every((f) => f.statusReason === 'A3.8: repayment under way on a dated plan')).toBe(true)
    // Controls are still strong (A3 drops to 75.5), so the matrix says medium; the downgraded floor lifts it.
    expect(d.control.band).toBe('strong')
    expect(d.ratingExplanation.matrix.rating).toBe('medium')
    expect(d.ratingExplanation.floors).toEqual([
      { rating: 'high', reason: 'recruitment-fee red flags under a repayment plan: at least high' },
    ])
    expect(d.rating).toBe('high')
  })

  it('only downgrades "fully repaid" when the repayment is not evidenced', () => {
    const n = run(variant(fx, {}, ['A3.8']))
    expect(redFlagsOf(n)).toEqual([{ answer: 'A3.1:yes_some', indicator: 'debt_bondage', status: 'downgraded' }])
    expect(n.redFlags[0]?.statusReason).toBe('A3.8: repaid in full, but not yet evidenced')
    // The repayment answer itself earns the unverified 0.75 until evidence is attached.
    expect(questionOf(n, 'A3.8')).toMatchObject({ credit: 0.75, unverified: true })
    expect(n.ratingExplanation.floors.map((f) => f.rating)).toEqual(['high'])
    expect(n.rating).toBe('high')
  })

  it('keeps the cleared fee answer at zero credit: the control score still shows that fees were charged', () => {
    expect(questionOf(r, 'A3.1')).toMatchObject({ status: 'counted', credit: 0, earned: 0, possible: 10 })
    // The gap stays (fees were charged) but is no longer a red flag, and its action is prevention, not a stop order.
    const gap = r.gaps.find((g) => g.question === 'A3.1')
    expect(gap).toMatchObject({ credit: 0, redFlag: false, redFlagStatus: 'cleared', gapType: 'G1', days: 30 })
    // A3: possible 143 (A3.1, A3.3, A3.5, A3.8 critical; 17 cost items, A3.4, A3.6, A3.7 high; A3.9 medium).
    // Lost: A3.1 10, three reimbursed costs 3 × 2.5, A3.7 "1 to 10%" 2.5. 123 / 143 = 86.
    expect(sectionOf(r, 'A3')).toMatchObject({ score: 86, earned: 123, possible: 143 })
  })

  it('clears the recruitment-debt flag too when most workers had borrowed to pay and were repaid in full', () => {
    // The usual remediation case: most workers paid (A3.1 yes_most) and most borrowed to do so (A3.7
    // over_50). A3.7's own action is to "repay the recruitment costs that caused the debt (A3.8)"; once that
    // repayment is complete and evidenced, no recruitment-fee debt flag should keep the site at High.
    const most = run(variant(fx, { 'A3.1': 'yes_most', 'A3.7': 'over_50' }))
    expect(most.redFlags.filter((f) => f.status === 'active').map((f) => `${f.question}:${f.choice}`)).toEqual([])
    expect(most.rating).toBe('medium')
  })
})

describe('scenario: warehouse near Łódź, Poland, answered "don\'t know" throughout', () => {
  const fx = fixture('dont-know')
  const r = run(fx)
  const dontKnowQuestions = questionsWithStatus(r, 'dont_know')

  it('is an answer set that checkAnswers accepts, with only optional questions left blank', () => {
    expect(check(fx).problems).toEqual([])
    // The complaint count (A9.9) is optional and unscored. (Internal migrants, A0.3c, is required from 2026.2:
    // "0 if none".)
    expect(unansweredApplicable(fx)).toEqual(['A9.9'])
    expect(questionsWithStatus(r, 'unanswered')).toEqual([])
  })

  it('answers "don\'t know" wherever the question offers it', () => {
    const { values } = check(fx)
    const app = applicability(cq, values)
    const offersDontKnow = cq.entries
      .filter((e) => e.scored && app.questions.get(e.question.id) && e.choices.some((c) => c.dont_know))
      .map((e) => e.question.id)
    expect(dontKnowQuestions).toEqual(offersDontKnow)
    // Only the two multiple-choice questions have no "don't know": the site gave what it knew.
    expect(questionOf(r, 'A2.3').status).toBe('counted')
    expect(questionOf(r, 'A4.2').status).toBe('counted')
  })

  it('has low confidence: 112 of 114 applicable questions are "don\'t know"', () => {
    expect(r.confidence).toEqual({
      level: 'low',
      applicable: 114,
      dontKnow: 112,
      unverified: 0,
      dontKnowShare: 0.982,
      unverifiedShare: 0,
    })
    // A tied-permit "don't know" makes A6.9 (release letters) apply; A3.8 needs a "yes" in A3.1.
    expect(questionOf(r, 'A6.9').status).toBe('dont_know')
    expect(questionOf(r, 'A3.8').status).toBe('not_applicable')
  })

  it('is rated Critical: the "don\'t know" share lifts inherent risk to high, and controls are very weak', () => {
    // Poland (Tier 1) 1; logistics 1; 210 of 900 (23%) migrants: 1; a destination agency or labour provider: 1;
    // tied permits "don't know" counts as tied: 1; housing 1; more than 25% "don't know": +1. 7: high.
    expect(factorsOf(r)).toEqual({
      country: 1,
      sector: 1,
      migrant_share: 1,
      recruitment_channels: 1,
      tied_permits: 1,
      employer_accommodation: 1,
      dont_know: 1,
    })
    expect(r.inherent).toMatchObject({ uncapped: 7, score: 7, band: 'high' })
    // Without the "don't know" point the site would be medium (6), and medium × very weak is only high.
    expect(r.inherent.score - rubric.inherent.dont_know.points).toBeLessThan(rubric.inherent.bands.high)
    expect(rubric.matrix.medium.very_weak).toBe('high')
    // Only A4.2 earns anything: 5 of 14 contract items × medium weight 3 = 1.07 of A4's 29, 3.7; × 10 / 102 = 0.4
    // (the section weights add up to 102 with A12 and A13 at 1 each).
    expect(sectionOf(r, 'A4').score).toBe(3.7)
    expect(r.control).toMatchObject({ overall: 0.4, band: 'very_weak' })
    expect(r.ratingExplanation).toEqual({
      matrix: { inherentBand: 'high', controlBand: 'very_weak', rating: 'critical' },
      floors: [],
    })
    expect(r.rating).toBe('critical')
  })

  it('raises no red flag: "don\'t know" is a gap, not an indicator', () => {
    expect(r.redFlags).toEqual([])
  })

  it('lists a gap for every "don\'t know" answer, and for the two partial answers', () => {
    const dkGaps = r.gaps.filter((g) => g.dontKnow).map((g) => g.question)
    expect(new Set(dkGaps)).toEqual(new Set(dontKnowQuestions))
    expect(dkGaps).toHaveLength(112)
    expect(r.gaps.filter((g) => !g.dontKnow).map((g) => [g.question, g.credit])).toEqual([
      ['A2.3', 0],
      ['A4.2', 5 / 14],
    ])
    expect(r.gaps.every((g) => g.action !== '' && g.days !== null)).toBe(true)
  })
})
