import { type CmpOp, type Expr, type Operand, parseCondition } from '../../questionnaire/condition.ts'
import type { CompiledQuestionnaire } from '../../questionnaire/model.ts'
import { t } from '../../questionnaire/text.ts'

/**
 * Applicability conditions in words a respondent understands offline, where the form cannot hide
 * questions: "Answer only if the answers to A0.5 include "Origin agency" or "Labour provider"."
 * Choice ids are shown as the labels the respondent picks from the drop-down.
 */

const MAX_LABEL = 70

/** Long labels are cut at a word boundary: the reader only needs to recognise the answer. */
function shorten(s: string): string {
  if (s.length <= MAX_LABEL) return s
  const cut = s.slice(0, MAX_LABEL - 1)
  const space = cut.lastIndexOf(' ')
  return `${(space > MAX_LABEL / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:]+$/, '')}…`
}

function choiceLabel(cq: CompiledQuestionnaire, qid: string, choiceId: string): string {
  const c = cq.byId.get(qid)?.choiceById.get(choiceId)
  return `"${shorten(c ? t(c.label) : choiceId)}"`
}

function orList(items: string[]): string {
  if (items.length <= 1) return items[0] ?? ''
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`
}

const isMulti = (cq: CompiledQuestionnaire, qid: string) => cq.byId.get(qid)?.question.type === 'multi'

function choicePhrase(cq: CompiledQuestionnaire, qid: string, choices: string[], negated = false): string {
  const labels = orList(choices.map((c) => choiceLabel(cq, qid, c)))
  if (isMulti(cq, qid)) return `the answers to ${qid} ${negated ? 'do not include' : 'include'} ${labels}`
  return `the answer to ${qid} is ${negated ? 'not ' : ''}${labels}`
}

/** "selected(q, 'c')" and "q = 'c'" both mean "c was chosen"; grouping them reads far better. */
function chosenChoice(e: Expr): { q: string; choice: string } | undefined {
  if (e.k === 'selected') return { q: e.q, choice: e.choice }
  if (e.k === 'cmp' && e.op === '=') {
    if (e.left.k === 'ref' && e.right.k === 'str') return { q: e.left.q, choice: e.right.v }
    if (e.right.k === 'ref' && e.left.k === 'str') return { q: e.right.q, choice: e.left.v }
  }
  return undefined
}

const FLIPPED: Record<CmpOp, CmpOp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' }
const OP_WORDS: Record<CmpOp, string> = {
  '=': 'is',
  '!=': 'is not',
  '<': 'is less than',
  '<=': 'is at most',
  '>': 'is more than',
  '>=': 'is at least',
}

function operandWords(cq: CompiledQuestionnaire, o: Operand, about: string | undefined): string {
  if (o.k === 'ref') return `the answer to ${o.q}`
  if (o.k === 'num') return String(o.v)
  return about ? choiceLabel(cq, about, o.v) : `"${shorten(o.v)}"`
}

function comparison(cq: CompiledQuestionnaire, e: Extract<Expr, { k: 'cmp' }>): string {
  const swap = e.left.k !== 'ref' && e.right.k === 'ref'
  const left = swap ? e.right : e.left
  const right = swap ? e.left : e.right
  const op = swap ? FLIPPED[e.op] : e.op
  const about = left.k === 'ref' ? left.q : undefined
  if (about && right.k === 'str' && (op === '=' || op === '!=')) return choicePhrase(cq, about, [right.v], op === '!=')
  return `${operandWords(cq, left, undefined)} ${OP_WORDS[op]} ${operandWords(cq, right, about)}`
}

function describeOr(cq: CompiledQuestionnaire, items: Expr[]): string {
  const parts: string[] = []
  const grouped = new Map<string, string[]>()
  for (const item of items) {
    const chosen = chosenChoice(item)
    if (!chosen) {
      parts.push(nested(cq, item, 'or'))
      continue
    }
    const group = grouped.get(chosen.q)
    if (group) group.push(chosen.choice)
    else {
      const choices = [chosen.choice]
      grouped.set(chosen.q, choices)
      // A placeholder keeps the group where its first member stood.
      parts.push(`\u0000${chosen.q}`)
    }
  }
  return parts
    .map((p) => (p.startsWith('\u0000') ? choicePhrase(cq, p.slice(1), grouped.get(p.slice(1)) ?? []) : p))
    .join(' or ')
}

function nested(cq: CompiledQuestionnaire, e: Expr, parent: 'and' | 'or' | 'not'): string {
  const words = describe(cq, e)
  return (e.k === 'and' || e.k === 'or') && e.k !== parent ? `(${words})` : words
}

function describe(cq: CompiledQuestionnaire, e: Expr): string {
  switch (e.k) {
    case 'or':
      return describeOr(cq, e.items)
    case 'and':
      return e.items.map((i) => nested(cq, i, 'and')).join(' and ')
    case 'not': {
      const chosen = chosenChoice(e.e)
      if (chosen) return choicePhrase(cq, chosen.q, [chosen.choice], true)
      if (e.e.k === 'answered') return `${e.e.q} is not answered`
      return `it is not true that ${nested(cq, e.e, 'not')}`
    }
    case 'bool':
      return e.v ? 'always' : 'never'
    case 'answered':
      return `${e.q} is answered`
    case 'selected':
      return choicePhrase(cq, e.q, [e.choice])
    case 'cmp':
      return comparison(cq, e)
  }
}

/** The condition in plain words, without the leading "Answer only if". */
export function describeCondition(cq: CompiledQuestionnaire, condition: string): string {
  return describe(cq, parseCondition(condition))
}
