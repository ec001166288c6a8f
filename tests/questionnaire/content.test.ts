import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../../src/paths.ts'
import {
  contentRules,
  costCategoriesCovered,
  ILO_COST_CATEGORIES,
  IRIS_PRINCIPLES,
  indicatorCoverage,
  irisCovered,
  OECD_STEPS,
  oecdStepsCovered,
  UNGP31_CRITERIA,
  ungp31Covered,
} from '../../src/questionnaire/content-rules.ts'
import { formatFinding, loadQuestionnaireFile } from '../../src/questionnaire/loader.ts'
import { choicesOf } from '../../src/questionnaire/model.ts'
import type { Question, QuestionnaireFile } from '../../src/questionnaire/questionnaire.schema.ts'
import { ILO_INDICATOR_KEYS } from '../../src/questionnaire/vocabulary.ts'

function shipped(id: string): QuestionnaireFile {
  const r = loadQuestionnaireFile(join(DEFAULT_QUESTIONNAIRES_DIR, `${id}.yaml`), { contentRules: true })
  if (!r.ok) throw new Error(r.errors.map(formatFinding).join('\n'))
  expect(r.value.warnings.map(formatFinding)).toEqual([])
  return r.value.def
}

/** The questionnaire without the questions matching `drop`: what the rules see if those were deleted. */
function without(q: QuestionnaireFile, drop: (x: Question) => boolean): QuestionnaireFile {
  return { ...q, sections: q.sections.map((s) => ({ ...s, questions: s.questions.filter((x) => !drop(x)) })) }
}
const messages = (q: QuestionnaireFile) => contentRules(q).map((f) => f.message)

describe('shipped questionnaires', () => {
  it.each(['employer', 'recruiter', 'brand'])(
    '%s passes every check, content rules included, without warnings',
    (id) => {
      const q = shipped(id)
      expect(q.id).toBe(id)
      expect(messages(q)).toEqual([])
    },
  )

  it('employer informs all 11 ILO indicators, each with a red-flag answer', () => {
    const q = shipped('employer')
    const { informed, redFlagged } = indicatorCoverage(q)
    for (const k of ILO_INDICATOR_KEYS) {
      expect(informed.has(k), k).toBe(true)
      expect(redFlagged.has(k), k).toBe(true)
      const rest = without(q, (x) => x.indicators.includes(k) || choicesOf(x).some((c) => c.red_flag?.indicator === k))
      expect(messages(rest).some((m) => m.includes('ILO indicator'))).toBe(true)
    }
  })

  it('employer asks about every ILO cost category and the illegitimate costs', () => {
    const q = shipped('employer')
    expect([...costCategoriesCovered(q)].sort()).toEqual([...ILO_COST_CATEGORIES].sort())
    for (const cat of ILO_COST_CATEGORIES) {
      const rest = without(q, (x) =>
        x.sources.some((s) => s.framework === 'ILO-DEF' && s.clause.toLowerCase().startsWith(cat)),
      )
      expect(messages(rest)).toContain(
        `no scored question cites "ILO-DEF ${cat}": that cost category is not asked about`,
      )
    }
  })

  it('employer grievance section covers all 8 UNGP 31 criteria', () => {
    const q = shipped('employer')
    expect([...ungp31Covered(q)].sort()).toEqual(Object.keys(UNGP31_CRITERIA))
    for (const k of Object.keys(UNGP31_CRITERIA)) {
      const rest = without(q, (x) => x.sources.some((s) => s.framework === 'UNGP' && s.clause.includes(`(${k})`)))
      expect(messages(rest).some((m) => m.includes(`UNGP 31(${k})`))).toBe(true)
    }
  })

  it('employer skips accommodation and recruiter sections by condition', () => {
    const q = shipped('employer')
    const a8 = q.sections.find((s) => s.id === 'A8')
    expect(a8?.when).toBe("A0.8 = 'yes'")
    expect(q.sections.find((s) => s.id === 'A2')?.when).toMatch(/selected\(A0\.5/)
  })

  it('recruiter covers IRIS A, B and 1–5', () => {
    const q = shipped('recruiter')
    expect([...irisCovered(q)].sort()).toEqual([...IRIS_PRINCIPLES].sort())
    for (const p of IRIS_PRINCIPLES) {
      const rest = without(q, (x) =>
        x.sources.some((s) => s.framework === 'IRIS' && s.clause.toUpperCase().startsWith(p)),
      )
      expect(messages(rest)).toContain(`no scored question cites IRIS principle ${p}`)
    }
  })

  it('brand covers OECD due-diligence steps 1–6', () => {
    const q = shipped('brand')
    expect([...oecdStepsCovered(q)].sort()).toEqual([...OECD_STEPS])
    for (const st of OECD_STEPS) {
      const rest = without(q, (x) =>
        x.sources.some((s) => s.framework === 'OECD-DD' && s.clause.startsWith(`step ${st}`)),
      )
      expect(messages(rest)).toContain(`no scored question cites OECD-DD step ${st}`)
    }
  })

  it('uses the wording "indicator of risk", never a finding of forced labour', () => {
    for (const id of ['employer', 'recruiter', 'brand']) {
      const text = JSON.stringify(shipped(id)).toLowerCase()
      expect(text).not.toMatch(
        /forced labour (was |has been |is )?(found|confirmed|identified)|(found|confirmed) forced labour/,
      )
    }
  })
})
