import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../../src/paths.ts'
import { checkAnswers } from '../../src/questionnaire/answers.ts'
import { contentRules, silencePays, unmarkedReportQuestions } from '../../src/questionnaire/content-rules.ts'
import { formatFinding, loadQuestionnaireFile } from '../../src/questionnaire/loader.ts'
import { applicability, choicesOf, compileQuestionnaire } from '../../src/questionnaire/model.ts'
import type { Choice, Question, QuestionnaireFile } from '../../src/questionnaire/questionnaire.schema.ts'
import { t } from '../../src/questionnaire/text.ts'

/**
 * The employer questionnaire 2026.2 (issue 15): claims and their honest alternatives, silence that never pays,
 * recruitment debt from 10%, the duplicate passport question gone, the profile's internal migrants and corridors,
 * and the two new topics (occupational safety and health, daily transport).
 */

function load(path: string): QuestionnaireFile {
  const r = loadQuestionnaireFile(path, { contentRules: true })
  if (!r.ok) throw new Error(r.errors.map(formatFinding).join('\n'))
  expect(r.value.warnings.map(formatFinding)).toEqual([])
  return r.value.def
}

const q = load(join(DEFAULT_QUESTIONNAIRES_DIR, 'employer.yaml'))
const questions = q.sections.flatMap((s) => s.questions.map((x) => ({ ...x, section: s.id })))
function question(id: string): Question {
  const x = questions.find((y) => y.id === id)
  if (!x) throw new Error(`no question ${id}`)
  return x
}
const choice = (qid: string, cid: string): Choice => {
  const c = choicesOf(question(qid)).find((x) => x.id === cid)
  if (!c) throw new Error(`${qid} has no choice ${cid}`)
  return c
}
const ids = (qid: string) => choicesOf(question(qid)).map((c) => c.id)
const without = (drop: (s: { id: string; theme?: string }) => boolean): QuestionnaireFile => ({
  ...q,
  sections: q.sections.filter((s) => !drop(s)),
})

describe('employer questionnaire 2026.2', () => {
  it('is version 2026.2 and passes every check, content rules included', () => {
    expect(q.version).toBe('2026.2')
    expect(contentRules(q)).toEqual([])
  })

  it('the 2026.1 version stays in the archive, unchanged in its questions', () => {
    const old = load(join(DEFAULT_QUESTIONNAIRES_DIR, 'archive', 'employer-2026.1.yaml'))
    expect(old.version).toBe('2026.1')
    const oldIds = old.sections.flatMap((s) => s.questions.map((x) => x.id))
    expect(oldIds).toContain('A5.3')
    expect(oldIds).not.toContain('A12.1')
    expect(old.sections.flatMap((s) => s.questions).every((x) => choicesOf(x).every((c) => !c.unproven_as))).toBe(true)
  })

  describe('claims and their honest alternatives', () => {
    const claims = questions.flatMap((x) =>
      choicesOf(x)
        .filter((c) => c.unproven_as)
        .map((c) => ({ x, c })),
    )

    it('an honest alternative is an ordinary answer worth less than the claim, never a red flag or a gap-free one', () => {
      expect(claims.length).toBeGreaterThanOrEqual(20)
      for (const { x, c } of claims) {
        const alt = choice(x.id, c.unproven_as as string)
        expect(alt.red_flag, `${x.id}.${alt.id}`).toBeUndefined()
        expect(alt.needs_evidence, `${x.id}.${alt.id}`).toBe(false)
        expect(alt.credit, `${x.id}.${alt.id}`).toBeLessThan(c.credit as number)
        expect(alt.credit, `${x.id}.${alt.id}`).toBeGreaterThan(0)
      }
    })

    it('every claim of a checked state on a critical question has an honest alternative', () => {
      const critical = questions.filter((x) => x.severity === 'critical' && x.type === 'single')
      const missing = critical.flatMap((x) =>
        (x.choices ?? []).filter((c) => c.needs_evidence && !c.unproven_as).map((c) => `${x.id}.${c.id}`),
      )
      expect(missing).toEqual([])
      // And no critical single-choice question's full-credit answer is a bare claim that asks for no proof.
      const bare = critical.flatMap((x) =>
        (x.choices ?? []).filter((c) => c.credit === 1 && !c.needs_evidence).map((c) => `${x.id}.${c.id}`),
      )
      expect(bare).toEqual([])
    })

    it.each([
      ['A2.9', 'no_controls', 'no_unverified'],
      ['A3.1', 'no_verified', 'no_unverified'],
      ['A3.3', 'no_checked', 'no_not_checked'],
      ['A3.5', 'no_checked', 'no_not_checked'],
      ['A3.7', 'none_verified', 'none_unverified'],
      ['A3.8', 'fully_repaid', 'dated_plan'],
      ['A4.1', 'before_departure', 'before_departure_unconfirmed'],
      ['A4.3', 'no_verified', 'no_unverified'],
      ['A6.1', 'workers_hold', 'not_checked'],
      ['A6.1', 'voluntary_safekeeping', 'not_checked'],
      ['A6.3', 'free', 'free_not_checked'],
      ['A6.4', 'no_checked', 'no_not_checked'],
      ['A6.7', 'no_checked', 'no_not_checked'],
      ['A6.8', 'none_checked', 'none_reported'],
      ['A7.2', 'no_checked', 'no_not_checked'],
      ['A7.3', 'no_checked', 'no_not_checked'],
      ['A7.5', 'no_loans', 'not_checked'],
      ['A7.6', 'voluntary_within_limits', 'not_checked'],
      ['A8.1', 'meets_all', 'not_inspected'],
      ['A9.10', 'no_checked', 'no_not_checked'],
      ['A10.2', 'paid_in_full', 'paid_not_checked'],
      ['A11.5', 'no_checked', 'no_not_checked'],
      ['A12.6', 'yes_checked', 'yes_not_checked'],
      ['A13.4', 'never_checked', 'never_not_checked'],
    ])('%s: "%s" counts as "%s" until proven', (qid, claim, honest) => {
      expect(choice(qid, claim)).toMatchObject({ needs_evidence: true, unproven_as: honest, credit: 1 })
    })

    it('every critical question says what would prove the answer: documents, workers asked in confidence, by route or on a visit', () => {
      const vague = questions
        .filter((x) => x.severity === 'critical')
        .filter((x) => {
          const e = x.evidence ? t(x.evidence) : ''
          return !/confidential|anonymous/.test(e) || !/recruitment route|site visit/.test(e)
        })
        .map((x) => x.id)
      expect(vague).toEqual([])
    })
  })

  describe('silence never pays', () => {
    it('lists the "has any case been reported" questions, each marked, with silence worth no more than a remedied case', () => {
      const marked = questions.filter((x) => choicesOf(x).some((c) => c.report_outcome)).map((x) => x.id)
      expect(marked).toEqual(['A6.7', 'A6.8', 'A9.10'])
      expect(silencePays(q)).toEqual([])
      expect(unmarkedReportQuestions(q)).toEqual([])
      for (const id of marked) {
        const none = choicesOf(question(id)).filter((c) => c.report_outcome === 'none_reported')
        const remedied = choicesOf(question(id)).filter((c) => c.report_outcome === 'remedied')
        expect(none.length, id).toBe(1)
        expect(remedied.length, id).toBe(1)
        expect(none[0]?.credit, id).toBeLessThan(remedied[0]?.credit as number)
        expect(remedied[0]?.red_flag, id).toBeUndefined()
      }
    })

    it('A6.8: none reported 0.5, reported and remedied 0.75, full credit only for a confidential check that found none', () => {
      expect(choice('A6.8', 'none_reported')).toMatchObject({ credit: 0.5, report_outcome: 'none_reported' })
      expect(choice('A6.8', 'reported_remedied')).toMatchObject({ credit: 0.75, report_outcome: 'remedied' })
      expect(choice('A6.8', 'none_checked')).toMatchObject({ credit: 1, needs_evidence: true })
    })

    it('the linter rejects a "none reported" worth more than a remedied case', () => {
      const raised: QuestionnaireFile = {
        ...q,
        sections: q.sections.map((s) => ({
          ...s,
          questions: s.questions.map((x) =>
            x.id === 'A6.8'
              ? { ...x, choices: x.choices?.map((c) => (c.id === 'none_reported' ? { ...c, credit: 1 } : c)) }
              : x,
          ),
        })),
      }
      expect(contentRules(raised).map((f) => f.message)).toContain(
        'A6.8: "none_reported" (no case reported) is worth more than "reported_remedied" (reported and remedied)',
      )
    })
  })

  it('A3.7: recruitment debt above 10% is a red flag; 1 to 10% is not, and has an honest "none as far as we know"', () => {
    expect(ids('A3.7')).toEqual(['none_verified', 'none_unverified', 'up_to_10', 'up_to_50', 'over_50', 'dont_know'])
    expect(choice('A3.7', 'up_to_10').red_flag).toBeUndefined()
    for (const c of ['up_to_50', 'over_50'])
      expect(choice('A3.7', c)).toMatchObject({ credit: 0, red_flag: { indicator: 'debt_bondage' } })
    expect(choice('A3.7', 'none_unverified').credit).toBeGreaterThanOrEqual(choice('A3.7', 'up_to_10').credit as number)
  })

  it('A5.3, which repeated A6.1, is gone; A5.7 asks about documents handed over after arrival', () => {
    expect(questions.some((x) => x.id === 'A5.3')).toBe(false)
    const a57 = question('A5.7')
    expect(a57).toMatchObject({ type: 'scale', indicators: ['retention_of_identity_documents'] })
    expect(a57.red_flags?.no?.indicator).toBe('retention_of_identity_documents')
    const passports = questions.filter((x) => /keep their own passports/i.test(t(x.text)))
    expect(passports.map((x) => x.id)).toEqual([])
  })

  describe('profile', () => {
    it('A0.3c counts internal migrants, required, "0 if none"; A0.3b sends them there', () => {
      expect(question('A0.3c')).toMatchObject({ profile: 'internal_migrants', required: true, type: 'number' })
      expect(t(question('A0.3c').help ?? '')).toMatch(/Enter 0 if there are none/)
      expect(t(question('A0.3b').help ?? '')).toMatch(/internal migrants: count them\s+in A0\.3c/)
    })

    it('A0.4 is a corridors question with the recruitment channels of A0.5', () => {
      expect(question('A0.4')).toMatchObject({ type: 'corridors', profile: 'corridors' })
      expect(ids('A0.4')).toEqual(ids('A0.5'))
      expect(t(question('A0.4').help ?? '')).toMatch(/one row per origin country and recruitment channel/i)
      expect(t(question('A0.4').help ?? '')).toMatch(/internal migrants, use this site's own country/)
    })

    it('A0.4 takes routes as rows, asks for them only when there are migrant workers, and names a bad row', () => {
      const cq = compileQuestionnaire(q)
      const base = { 'A0.1': 'TH', 'A0.3': 500, 'A0.3b': 0, 'A0.3c': 300 }
      const ok = checkAnswers(cq, { ...base, 'A0.4': ['TH:300:informal_broker'] })
      expect(ok.problems).toEqual([])
      expect(applicability(cq, ok.values).questions.get('A0.4')).toBe(true)
      const none = checkAnswers(cq, { ...base, 'A0.3c': 0 })
      expect(applicability(cq, none.values).questions.get('A0.4')).toBe(false)
      const bad = checkAnswers(cq, { ...base, 'A0.4': ['NP:120:friends'] })
      expect(bad.problems.map((p) => p.message)).toEqual([
        expect.stringContaining('"friends" is not one of direct, destination_agency'),
      ])
    })
  })

  describe('the two new topics', () => {
    const sectionOf = (theme: string) => q.sections.filter((s) => s.theme === theme)

    it.each([
      ['health_safety', 'A12', 'G21'],
      ['transport', 'A13', 'G22'],
    ])(
      '%s: section %s, 4 to 6 scored questions, each sourced, with gap type %s and a remediation in days',
      (theme, id, gap) => {
        const [s] = sectionOf(theme)
        expect(s?.id).toBe(id)
        const qs = s?.questions ?? []
        expect(qs.length).toBeGreaterThanOrEqual(4)
        expect(qs.length).toBeLessThanOrEqual(6)
        for (const x of qs) {
          expect(x.severity, x.id).toBeDefined()
          expect(x.theme, x.id).toBe(theme)
          expect(x.sources.length, x.id).toBeGreaterThanOrEqual(2)
          expect(x.remediation?.gap_type, x.id).toBe(gap)
          expect(x.remediation?.days, x.id).toBeGreaterThan(0)
          for (const c of choicesOf(x)) if (c.remediation) expect(c.remediation.gap_type, `${x.id}.${c.id}`).toBe(gap)
        }
        // Removing the section is caught by the linter.
        expect(contentRules(without((sec) => sec.id === id)).length).toBeGreaterThan(0)
      },
    )

    it('safety cites the ILO OSH convention and equal treatment of migrants, and has a red flag for work in serious danger', () => {
      const cited = new Set(question('A12.1').sources.map((s) => s.framework))
      for (const x of ['A12.2', 'A12.3', 'A12.4', 'A12.5', 'A12.6'])
        for (const s of question(x).sources) cited.add(s.framework)
      expect([...cited]).toEqual(expect.arrayContaining(['ILO-C155', 'ILO-C97', 'ILO-C143']))
      expect(choice('A12.6', 'forced').red_flag?.indicator).toBe('abusive_conditions')
    })

    it('transport is asked only where the site provides it, and transport used as control is a red flag', () => {
      expect(q.sections.find((s) => s.id === 'A13')?.when).toBe("A0.9 = 'yes'")
      expect(choice('A13.4', 'yes').red_flag?.indicator).toBe('restriction_of_movement')
      expect(question('A13.4').sources.map((s) => `${s.framework} ${s.clause}`)).toContain(
        'ILO-IND restriction of movement',
      )
      const cq = compileQuestionnaire(q)
      const app = (a09: string) => applicability(cq, checkAnswers(cq, { 'A0.9': a09 }).values).sections.get('A13')
      expect(app('yes')).toBe(true)
      expect(app('no')).toBe(false)
    })
  })
})
