import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../../src/paths.ts'
import { ScoreResult } from '../../src/scoring/result.schema.ts'
import { MaturityBlock, type Rubric, RubricFile } from '../../src/scoring/rubric.schema.ts'
import { citesStep } from '../../src/scoring/stages/brand-maturity.ts'
import { type Answers, compiled, RUBRIC_2026_1, rubric, run } from '../helpers/scoring.ts'

/**
 * The brand's due-diligence maturity (scoring.md §14), with hand-worked numbers. Severity weights from the
 * default rubric: critical 10, high 5, medium 3, low 1; level credits 0, 0.25, 0.5, 0.75, 1. Every level 3 and 4
 * answer below has evidence, so its credit is the level's own.
 */

const PART = join(DEFAULT_QUESTIONNAIRES_DIR, 'rubrics', 'parts', 'maturity-2026.2.yaml')
const maturity = MaturityBlock.parse(parse(readFileSync(PART, 'utf8')))
/** The default rubric with the 2026.2 maturity block, as default.yaml includes it. */
const withMaturity: Rubric = { ...rubric, maturity }

/**
 * Country and sector tables of our own, so that the exposure arithmetic below does not move when the shipped
 * data files are regenerated: BD 2, CN 4, IT 2, DE 1 points; garments 2, footwear 2, electronics 2; garments from
 * BD and CN listed for forced labour (+1, at most 3).
 */
const smallTables: Rubric = {
  ...withMaturity,
  inherent: {
    ...rubric.inherent,
    country: {
      ...rubric.inherent.country,
      default_points: 3,
      countries: [
        { code: 'BD', name: 'Bangladesh', points: 2, basis: 'Tier 2' },
        { code: 'CN', name: 'China', points: 4, basis: 'Tier 3' },
        { code: 'DE', name: 'Germany', points: 1, basis: 'Tier 1' },
        { code: 'IT', name: 'Italy', points: 2, basis: 'Tier 2' },
      ],
    },
    sector: {
      ...rubric.inherent.sector,
      points: { garment_textile: 2, footwear_leather: 2, electronics: 2 },
      default_points: 2,
      listed_goods_points: 1,
      max_points: 3,
      listed_goods: {
        ...rubric.inherent.sector.listed_goods,
        sectors: { garment_textile: { BD: ['Garments'], CN: ['Garments'] } },
      },
    },
  },
}

const EVIDENCED = ['C1.1', 'C1.2', 'C2.1', 'C2.2', 'C2.3', 'C3.3', 'C5.3', 'C7.3', 'C4.2', 'C4.3', 'C5.2', 'C7.4']

/** A brand with a different level per question (see the arithmetic in each test). */
const BRAND: Answers = {
  'C0.1': 'GB',
  'C0.2': 'garment_textile',
  'C0.3': 120,
  'C0.4': ['uk_msa'],
  'C0.7': ['BD:40:garment_textile', 'CN:20:garment_textile', 'IT:30:footwear_leather', 'DE:10:electronics'],
  'C1.1': 'level_4',
  'C1.2': 'level_3',
  'C1.3': 'level_2',
  'C1.4': 'level_1',
  'C5.1': 'dont_know',
  'C2.1': 'level_3',
  'C2.2': 'level_4',
  'C2.3': 'level_4',
  'C3.1': 'level_2',
  'C3.3': 'level_3',
  'C5.3': 'level_4',
  'C3.2': 'level_0',
  'C4.1': 'level_2',
  'C4.4': 'level_2',
  'C5.4': 'level_1',
  'C7.3': 'level_4',
  'C4.2': 'level_3',
  'C6.1': 'level_2',
  'C6.2': 'level_1',
  'C6.3': 'level_0',
  'C7.2': 'level_1',
  'C8.1': 'level_1',
  'C8.2': 'level_0',
  'C8.3': 'dont_know',
  'C4.3': 'level_4',
  'C5.2': 'level_3',
  'C7.1': 'level_2',
  'C7.4': 'all_repaid',
}

const brand = (answers: Answers = BRAND, r: Rubric = smallTables, evidence = EVIDENCED) =>
  run('brand', answers, { rubric: r, evidence })

describe('brand maturity: a grade per OECD due-diligence step', () => {
  it('scores each step from the questions citing it, weighted by severity, and grades it', () => {
    const m = brand().maturity
    expect(m?.steps.map((s) => [s.step, s.score, s.grade])).toEqual([
      // Step 1: C1.1 high 1 (5) + C1.2 medium 0.75 (2.25) + C1.3 high 0.5 (2.5) + C1.4 medium 0.25 (0.75)
      //   + C5.1 medium "don't know" (0) = 10.5 of 5+3+5+3+3 = 19 → 55.3, C.
      ['1', 55.3, 'C'],
      // Step 2: C2.1 0.75×5 (3.75) + C2.2 1×5 (5) + C2.3 1×3 (3) + C3.1 0.5×5 (2.5) + C3.3 0.75×3 (2.25)
      //   + C5.3 1×3 (3) = 19.5 of 24 → 81.3, A.
      ['2', 81.3, 'A'],
      // Step 3: C1.3 2.5 + C3.1 2.5 + C3.2 0 + C3.3 2.25 + C4.1 2.5 + C4.4 1.5 + C5.3 3 + C5.4 0.75 + C7.3 3
      //   = 18 of 5+5+3+3+5+3+3+3+3 = 33 → 54.5, C.
      ['3', 54.5, 'C'],
      // Step 4: C4.2 0.75×5 (3.75) + C6.1 1.5 + C6.2 0.75 + C6.3 0 = 6 of 14 → 42.9, C.
      ['4', 42.9, 'C'],
      // Step 5: C7.2 0.75 + C8.1 0.75 + C8.2 (low) 0 + C8.3 "don't know" 0 = 1.5 of 3+3+1+3 = 10 → 15, D.
      ['5', 15, 'D'],
      // Step 6: C4.3 5 + C5.2 3.75 + C7.1 2.5 + C7.2 0.75 + C7.4 (critical) all repaid 10 = 22 of 28 → 78.6, B.
      ['6', 78.6, 'B'],
    ])
    const s1 = m?.steps[0]
    expect(s1).toMatchObject({
      title: 'Policy and management systems',
      earned: 10.5,
      possible: 19,
      questions: ['C1.1', 'C1.2', 'C1.3', 'C1.4', 'C5.1'],
    })
    expect(s1?.basis).toBe('10.5 earned of 19 possible (C1.1, C1.2, C1.3, C1.4, C5.1) = 55.3: C, developing')
    // A question citing two steps counts in both (C7.2: steps 5 and 6; C3.1: steps 2 and 3).
    expect(m?.steps[4]?.questions).toContain('C7.2')
    expect(m?.steps[5]?.questions).toContain('C7.2')
  })

  it('reads each question as the control score does: its earned and possible points, evidence rule included', () => {
    const r = brand(BRAND, smallTables, [])
    const rows = new Map(r.control.sections.flatMap((s) => s.questions).map((q) => [q.question, q]))
    for (const step of r.maturity?.steps ?? []) {
      const earned = step.questions.reduce((s, q) => s + (rows.get(q)?.earned ?? 0), 0)
      const possible = step.questions.reduce((s, q) => s + (rows.get(q)?.possible ?? 0), 0)
      expect(step.score).toBe(Math.round((earned / possible) * 1000) / 10)
    }
    // Without evidence, no claim of level 3 or 4 counts in full, so step 2 falls below its evidenced A.
    expect(r.maturity?.steps[1]?.score).toBeLessThan(81.3)
  })

  it('grades a brand at level 2 throughout (C7.4: no case found) C on every step: 50', () => {
    const { cq } = compiled('brand')
    const answers: Answers = { 'C0.7': ['DE:100:electronics'] }
    for (const e of cq.entries) if (e.scored) answers[e.question.id] = e.question.id === 'C7.4' ? 'no_cases' : 'level_2'
    const m = run('brand', answers, { rubric: smallTables }).maturity
    expect(m?.steps.map((s) => [s.score, s.grade])).toEqual(Array(6).fill([50, 'C']))
  })

  it('leaves a step no applicable question cites ungraded', () => {
    const r: Rubric = {
      ...smallTables,
      maturity: { ...maturity, steps: [...maturity.steps, { step: '7', title: 'Nothing', source: 'OECD-DD step 7' }] },
    }
    const step = brand(BRAND, r).maturity?.steps[6]
    expect(step).toMatchObject({ score: null, grade: null, questions: [], possible: 0 })
    expect(step?.basis).toBe('no applicable question cites OECD-DD step 7: not graded')
  })

  it('matches a step by its source, never a longer step number', () => {
    expect(citesStep('OECD-DD step 1', 'OECD-DD step 1')).toBe(true)
    expect(citesStep('OECD-DD step 1 (policy commitment)', 'OECD-DD step 1')).toBe(true)
    expect(citesStep('OECD-DD step 10', 'OECD-DD step 1')).toBe(false)
    expect(citesStep('OECD-DD step 2', 'OECD-DD step 1')).toBe(false)
  })
})

describe('brand maturity: sourcing exposure weighted by share of spend', () => {
  it('gives each row its country and sector points and weighs them by share of spend', () => {
    const x = brand().maturity?.exposure
    // BD garments 2 + (2 + 1 listed) = 5; CN garments 4 + 3 = 7; IT footwear 2 + 2 = 4; DE electronics 1 + 2 = 3.
    expect(x?.rows.map((r) => [r.country, r.share, r.sector, r.countryPoints, r.sectorPoints, r.points])).toEqual([
      ['BD', 40, 'garment_textile', 2, 3, 5],
      ['CN', 20, 'garment_textile', 4, 3, 7],
      ['IT', 30, 'footwear_leather', 2, 2, 4],
      ['DE', 10, 'electronics', 1, 2, 3],
    ])
    // (40 × 5 + 20 × 7 + 30 × 4 + 10 × 3) / 100 = 490 / 100 = 4.9: medium (from 4), not high (from 5).
    // Rows of 5 points or more: BD and CN, 60 of the 100 percent given.
    expect(x).toMatchObject({ question: 'C0.7', score: 4.9, band: 'medium', shareTotal: 100, highShare: 60 })
    expect(x?.warning).toBeNull()
    expect(x?.rows[0]).toMatchObject({ countryName: 'Bangladesh', sectorLabel: 'Garments and textiles' })
    expect(x?.rows[0]?.sectorBasis).toContain('sector base 2 + 1: Garments from this country listed for forced labour')
    expect(brand().maturity?.explanation).toContain(
      '(40 × 5 + 20 × 7 + 30 × 4 + 10 × 3) / 100 = 4.9, medium (medium from 4, high from 5); 60% of the spend given',
    )
  })

  it('weighs only the spend given when the rows cover less than 100%, and says so', () => {
    const x = brand({ ...BRAND, 'C0.7': ['CN:30:garment_textile', 'DE:10:electronics'] }).maturity
    // (30 × 7 + 10 × 3) / 40 = 240 / 40 = 6: high; CN is 30 of the 40 percent given = 75%.
    expect(x?.exposure).toMatchObject({ score: 6, band: 'high', shareTotal: 40, highShare: 75, warning: null })
    expect(x?.explanation).toContain('The rows cover 40% of spend; the rest is not known and not counted.')
  })

  it('reports shares adding up to more than 100%, and still weighs the rows as given', () => {
    const x = brand({ ...BRAND, 'C0.7': ['DE:80:electronics', 'IT:40:footwear_leather'] }).maturity?.exposure
    // (80 × 3 + 40 × 4) / 120 = 400 / 120 = 3.33 → 3.3: low.
    expect(x).toMatchObject({ score: 3.3, band: 'low', shareTotal: 120, highShare: 0 })
    expect(x?.warning).toBe(
      'The shares of spend in C0.7 add up to 120%, more than 100%: the answer needs correcting. Until then each row is weighed by its share as given.',
    )
  })

  it('scores a country without data at the table default and says so', () => {
    const x = brand({ ...BRAND, 'C0.7': ['FR:100:electronics'] }).maturity?.exposure
    expect(x?.rows[0]).toMatchObject({ countryPoints: 3, sectorPoints: 2, points: 5 })
    expect(x?.rows[0]?.countryBasis).toBe(rubric.inherent.country.default_basis)
  })

  it('treats no sourcing country as unknown, not low', () => {
    const { 'C0.7': _, ...rest } = BRAND
    const m = brand(rest).maturity
    expect(m?.exposure).toMatchObject({ score: null, band: 'high', shareTotal: 0, highShare: null, rows: [] })
    expect(m?.explanation).toContain(
      'Sourcing exposure: no sourcing country given in C0.7, so it is unknown and treated as high until answered.',
    )
  })

  it('uses the shipped country and sector tables under the default rubric', () => {
    const x = brand(BRAND, withMaturity).maturity?.exposure
    const points = new Map(x?.rows.map((r) => [r.country, r.points]))
    // China (Tier 3, garments listed) above Bangladesh (garments listed) above Germany (Tier 1) electronics.
    expect(points.get('CN')).toBeGreaterThan(points.get('BD') ?? 0)
    expect(points.get('BD')).toBeGreaterThan(points.get('DE') ?? 0)
    for (const r of x?.rows ?? []) expect(r.countryBasis).toContain(rubric.inherent.country.source)
  })
})

describe('brand maturity: where it appears', () => {
  it('is part of a valid result for the brand under a rubric with the maturity block', () => {
    const r = brand()
    expect(ScoreResult.parse(r)).toEqual(r)
    expect(r.maturity?.explanation).toMatch(/^Each due-diligence step is scored from the questions that cite it/)
  })

  it('is absent for the brand under a rubric without the block (2026.1), and for other questionnaires', () => {
    expect('maturity' in run('brand', BRAND, { rubric: RUBRIC_2026_1, evidence: EVIDENCED })).toBe(false)
    expect('maturity' in run('recruiter', {}, { rubric: withMaturity })).toBe(false)
    expect('maturity' in run('employer', {}, { rubric: withMaturity })).toBe(false)
  })

  it('gives the same input the same bytes', () => {
    expect(JSON.stringify(brand())).toBe(JSON.stringify(brand()))
  })

  it('validates the 2026.2 part file, and rejects grades out of order or without a floor', () => {
    expect(RubricFile.shape.maturity.parse(maturity)).toEqual(maturity)
    const grades = (g: { grade: string; min: number; label: string }[]) =>
      MaturityBlock.safeParse({ ...maturity, grades: g }).success
    expect(grades([{ grade: 'A', min: 0, label: 'any' }])).toBe(true)
    expect(
      grades([
        { grade: 'B', min: 60, label: 'b' },
        { grade: 'A', min: 80, label: 'a' },
        { grade: 'D', min: 0, label: 'd' },
      ]),
    ).toBe(false)
    expect(grades([{ grade: 'A', min: 50, label: 'a' }])).toBe(false)
  })

  it('finds at least three scored brand questions for every step of the part file', () => {
    const m = brand().maturity
    for (const s of m?.steps ?? []) expect(s.questions.length, `step ${s.step}`).toBeGreaterThanOrEqual(3)
  })
})
