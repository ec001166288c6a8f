import { describe, expect, it } from 'vitest'
import {
  type AnswerValue,
  ConditionSyntaxError,
  compileCondition,
  parseCondition,
  references,
} from '../../src/questionnaire/condition.ts'

const run = (src: string, answers: Record<string, AnswerValue>) =>
  compileCondition(parseCondition(src))((q) => answers[q])

describe('condition language', () => {
  it('compares choice answers, numbers and dates', () => {
    expect(run("A0.8 = 'yes'", { 'A0.8': 'yes' })).toBe(true)
    expect(run("A0.8 = 'yes'", { 'A0.8': 'no' })).toBe(false)
    expect(run("A0.8 != 'yes'", { 'A0.8': 'no' })).toBe(true)
    expect(run('A0.3 > 0', { 'A0.3': 12 })).toBe(true)
    expect(run('A0.3 >= 12.5', { 'A0.3': 12 })).toBe(false)
    expect(run('A0.3 <= -1', { 'A0.3': -3 })).toBe(true)
    expect(run("D.1 < '2026-01-01'", { 'D.1': '2025-12-31' })).toBe(true)
  })

  it('treats an unanswered question as making every comparison false', () => {
    expect(run("A0.8 = 'yes'", {})).toBe(false)
    expect(run("A0.8 != 'yes'", {})).toBe(false)
    expect(run('A0.3 > 0', {})).toBe(false)
    expect(run("not (A0.8 = 'yes')", {})).toBe(true)
  })

  it('supports selected(), answered(), and/or/not with precedence and parentheses', () => {
    const a = { 'A0.5': ['direct', 'origin_agency'], 'A0.8': 'yes' }
    expect(run("selected(A0.5, 'origin_agency')", a)).toBe(true)
    expect(run("selected(A0.5, 'informal_broker')", a)).toBe(false)
    expect(run("selected(A0.8, 'yes')", a)).toBe(true)
    expect(run('answered(A0.5) and answered(A0.8)', a)).toBe(true)
    expect(run('answered(A0.9)', a)).toBe(false)
    expect(run('answered(A0.5)', { 'A0.5': [] })).toBe(false)
    // and binds tighter than or
    expect(run("A0.8 = 'no' and A0.8 = 'no' or A0.8 = 'yes'", a)).toBe(true)
    expect(run("A0.8 = 'no' and (A0.8 = 'no' or A0.8 = 'yes')", a)).toBe(false)
    expect(run("not not selected(A0.5, 'direct')", a)).toBe(true)
    expect(run("A0.5 = 'direct'", a)).toBe(true)
    expect(run('true and not false', {})).toBe(true)
  })

  it('lists the questions and choices it refers to', () => {
    expect(references(parseCondition("selected(A0.5, 'x') or A0.8 = 'yes' or A0.3 > 2"))).toEqual([
      { question: 'A0.5', choice: 'x' },
      { question: 'A0.8', choice: 'yes' },
      { question: 'A0.3' },
    ])
  })

  it.each([
    ["A0.8 = 'yes", /unterminated string/],
    ['A0.8 =', /expected a question id, a quoted value or a number but found the end/],
    ['A0.8', /expected a comparison/],
    ["A0.8 = 'yes' A0.9", /expected "and", "or" or the end/],
    ['(A0.3 > 1', /expected "\)"/],
    ['selected(A0.5, x)', /quoted choice id/],
    ['A0.3 > 1; drop table', /unexpected character ";"/],
    ['process.exit(1)', /expected a comparison/],
  ])('rejects %s with a readable message', (src, message) => {
    expect(() => parseCondition(src)).toThrow(ConditionSyntaxError)
    expect(() => parseCondition(src)).toThrow(message)
  })
})
