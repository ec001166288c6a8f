import { describe, expect, it } from 'vitest'
import { answerText, choiceLabel } from '../../src/questionnaire/answer-text.ts'
import type { QuestionEntry } from '../../src/questionnaire/model.ts'
import { t } from '../../src/questionnaire/text.ts'
import { labelOf } from '../../src/scoring/stages/answer.ts'
import { answerOptions, compiled } from '../helpers/scoring.ts'

/** Answers in words: one implementation, shared by the scoring engine, the answer page and both workbooks. */

const { cq } = compiled('employer')
const entry = (id: string): QuestionEntry => {
  const e = cq.byId.get(id)
  if (!e) throw new Error(`no question ${id}`)
  return e
}

describe('answer text', () => {
  it('words choices by their labels, countries by their names, and numbers and text as they are', () => {
    const multi = entry('A0.5')
    const [a, b] = multi.choices
    if (!a || !b) throw new Error('A0.5 has fewer than two choices')
    expect(answerText(multi, [a.id, b.id])).toBe(`${t(a.label)}; ${t(b.label)}`)
    expect(answerText(multi, [a.id, b.id], '\n')).toBe(`${t(a.label)}\n${t(b.label)}`)
    expect(answerText(multi, [a.id, 'gone'])).toBe(`${t(a.label)}; gone`)
    expect(answerText(entry('A0.1'), 'TH')).toBe('Thailand')
    expect(answerText(entry('A0.1'), 'XX')).toBe('XX')
    expect(answerText(entry('A0.3'), 250)).toBe('250')
    expect(answerText(entry('A1.3'), 'yes')).toBe(choiceLabel(entry('A1.3'), 'yes'))
    expect(choiceLabel(entry('A1.3'), 'no_such_choice')).toBe('no_such_choice')
  })

  it('is what the scoring engine labels every answer with', () => {
    for (const e of cq.entries) {
      for (const v of answerOptions(e)) {
        expect(labelOf(e, v)).toBe(v === undefined ? 'Not answered' : answerText(e, v))
      }
    }
  })
})
