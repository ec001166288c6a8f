import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../../src/paths.ts'
import { answerText } from '../../src/questionnaire/answer-text.ts'
import { contentRules, silencePays } from '../../src/questionnaire/content-rules.ts'
import { formatFinding, loadQuestionnaireFile } from '../../src/questionnaire/loader.ts'
import { choicesOf, compileQuestionnaire } from '../../src/questionnaire/model.ts'
import type { Question, QuestionnaireFile } from '../../src/questionnaire/questionnaire.schema.ts'
import { checkVersionMap, VersionMap } from '../../src/questionnaire/version-map.ts'

/** The recruiter and brand questionnaires 2026.2 (issue 15 §4, §5): what changed from 2026.1 and why. */

function load(path: string): QuestionnaireFile {
  const r = loadQuestionnaireFile(join(DEFAULT_QUESTIONNAIRES_DIR, path), { contentRules: true })
  if (!r.ok) throw new Error(r.errors.map(formatFinding).join('\n'))
  return r.value.def
}
const current = (id: string) => load(`${id}.yaml`)
const archived = (id: string) => load(`archive/${id}-2026.1.yaml`)
const question = (q: QuestionnaireFile, id: string): Question => {
  const x = q.sections.flatMap((s) => s.questions).find((y) => y.id === id)
  if (!x) throw new Error(`no question ${id}`)
  return x
}
const choice = (q: QuestionnaireFile, qid: string, cid: string) => {
  const c = choicesOf(question(q, qid)).find((x) => x.id === cid)
  if (!c) throw new Error(`no choice ${qid}:${cid}`)
  return c
}
const map = (id: string) =>
  VersionMap.parse(
    parse(readFileSync(join(DEFAULT_QUESTIONNAIRES_DIR, `version-maps/${id}-2026.1-2026.2.yaml`), 'utf8')),
  )

describe.each(['recruiter', 'brand'])('%s 2026.2', (id) => {
  it('is version 2026.2 and passes the linter, content rules included', () => {
    const q = current(id)
    expect(q.version).toBe('2026.2')
    expect(contentRules(q).map((f) => f.message)).toEqual([])
  })

  it('keeps 2026.1 loadable from the archive', () => {
    expect(archived(id).version).toBe('2026.1')
  })

  it('has a version map from 2026.1 that accounts for every question of both versions', () => {
    expect(checkVersionMap(map(id), archived(id), current(id))).toEqual([])
  })

  it('never pays silence: no "none reported" choice earns more than "reported and remedied"', () => {
    expect(silencePays(current(id))).toEqual([])
  })

  it('gives every claim with an honest alternative at most that alternative until it is proven', () => {
    const q = current(id)
    for (const x of q.sections.flatMap((s) => s.questions)) {
      for (const c of choicesOf(x).filter((y) => y.unproven_as)) {
        const alt = choice(q, x.id, c.unproven_as as string)
        expect(c.needs_evidence, `${x.id}:${c.id}`).toBe(true)
        expect(alt.credit ?? 0, `${x.id}:${c.id}`).toBeLessThan(c.credit ?? 0)
      }
    }
  })
})

describe('recruiter 2026.2', () => {
  const q = current('recruiter')

  it('scores the threats question B3.5 so that silence never pays (it did in 2026.1)', () => {
    const old = archived('recruiter')
    // 2026.1: "no case that we know of" 1, a case handled 0.5.
    expect(choice(old, 'B3.5', 'none').credit).toBeGreaterThan(choice(old, 'B3.5', 'handled').credit ?? 0)
    expect(choice(q, 'B3.5', 'none_unchecked')).toMatchObject({ credit: 0.5, report_outcome: 'none_reported' })
    expect(choice(q, 'B3.5', 'none_checked')).toMatchObject({
      credit: 1,
      needs_evidence: true,
      unproven_as: 'none_unchecked',
      report_outcome: 'none_reported',
    })
    expect(choice(q, 'B3.5', 'handled')).toMatchObject({ credit: 1, report_outcome: 'remedied' })
    expect(map('recruiter').questions['B3.5']).toMatchObject({ change: 'choices', choices: { none: 'none_unchecked' } })
  })

  it('marks every "has any case been reported" question (B3.5, B4.3)', () => {
    const marked = q.sections
      .flatMap((s) => s.questions)
      .filter((x) => choicesOf(x).some((c) => c.report_outcome))
      .map((x) => x.id)
    expect(marked).toEqual(['B3.5', 'B4.3'])
  })

  it('no longer marks bribery (B1.5) as debt bondage, nor as any forced-labour indicator', () => {
    const b15 = question(q, 'B1.5')
    expect(b15.indicators).toEqual([])
    expect(choicesOf(b15).some((c) => c.red_flag)).toBe(false)
    expect(b15.severity).toBe('critical')
    expect(choice(q, 'B1.5', 'yes').remediation?.gap_type).toBe('G5')
    expect(question(archived('recruiter'), 'B1.5').indicators).toEqual(['debt_bondage'])
  })

  it('asks for routes with destinations and fee bands, and sectors placed, instead of the head office', () => {
    const routes = question(q, 'B0.16')
    expect(routes).toMatchObject({ type: 'corridors', corridor_destination: true, profile: 'corridors' })
    // The inherent-risk rubric scores these ids: they must not change.
    expect(choicesOf(routes).map((c) => c.id)).toEqual([
      'none',
      'under_1_month',
      'one_to_3_months',
      'over_3_months',
      'dont_know',
    ])
    expect(question(q, 'B0.9').profile).toBe('sectors_placed')
    // The head office stands in only while no route is given (scoring.md §4).
    expect(question(q, 'B0.3').profile).toBe('country')
    const employerSectors = choicesOf(question(current('employer'), 'A0.2')).map((c) => c.id)
    const placed = choicesOf(question(q, 'B0.9')).map((c) => c.id)
    // The employer's sector ids, plus domestic work (the rubric scores it; no employer site is a private home).
    expect(placed.filter((s) => s !== 'domestic_care').sort()).toEqual([...employerSectors].sort())
    const profileKeys = q.sections.flatMap((s) => s.questions).map((x) => x.profile)
    expect(profileKeys).not.toContain('origin_countries')
    expect(profileKeys.filter((k) => k === 'country')).toHaveLength(1)
  })
})

describe('brand 2026.2', () => {
  const q = current('brand')

  it('counts levels 3 and 4 as level 2 until they are proven, on every level question', () => {
    const levelled = q.sections.flatMap((s) => s.questions).filter((x) => choicesOf(x).some((c) => c.id === 'level_4'))
    expect(levelled.length).toBe(27)
    for (const x of levelled) {
      expect(choice(q, x.id, 'level_3').unproven_as, x.id).toBe('level_2')
      expect(choice(q, x.id, 'level_4').unproven_as, x.id).toBe('level_2')
    }
  })

  it('scores "no confirmed fee case" (C7.4) at half credit instead of leaving it out, below a remedied case', () => {
    expect(choice(archived('brand'), 'C7.4', 'no_cases').not_applicable).toBe(true)
    expect(choice(q, 'C7.4', 'no_cases')).toMatchObject({
      credit: 0.5,
      not_applicable: false,
      report_outcome: 'none_reported',
    })
    expect(choice(q, 'C7.4', 'all_repaid')).toMatchObject({ credit: 1, report_outcome: 'remedied' })
  })

  it('asks for its sourcing exposure as country:share:sector rows with the employer sector ids', () => {
    const src = question(q, 'C0.7')
    expect(src).toMatchObject({ type: 'corridors', profile: 'corridors', unit: 'percent of spend' })
    expect(src.corridor_destination).toBeUndefined()
    expect(choicesOf(src).map((c) => c.id)).toEqual(choicesOf(question(current('employer'), 'A0.2')).map((c) => c.id))
  })

  it('words a sourcing row as a share of spend, and a recruiter route as workers', () => {
    const brandEntry = compileQuestionnaire(q).byId.get('C0.7')
    const routes = compileQuestionnaire(current('recruiter')).byId.get('B0.16')
    if (!brandEntry || !routes) throw new Error('missing question')
    expect(answerText(brandEntry, ['TH:35:garment_textile', 'CN:1:electronics'])).toBe(
      'Thailand, 35 percent of spend (Garments and textiles); China, 1 percent of spend (Electronics and electrical goods)',
    )
    expect(answerText(routes, ['NP-MY:120:under_1_month'])).toBe(
      "Nepal to Malaysia, 120 workers (Less than one month's wage)",
    )
  })
})
