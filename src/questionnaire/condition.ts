/**
 * The applicability-condition language: comparisons, and/or/not, selected(q, 'choice'), answered(q).
 * Parsed by this small recursive-descent parser and compiled to closures; never evaluated as code.
 */

export type Operand = { k: 'ref'; q: string } | { k: 'str'; v: string } | { k: 'num'; v: number }
export type CmpOp = '=' | '!=' | '<' | '<=' | '>' | '>='
export type Expr =
  | { k: 'or'; items: Expr[] }
  | { k: 'and'; items: Expr[] }
  | { k: 'not'; e: Expr }
  | { k: 'cmp'; op: CmpOp; left: Operand; right: Operand }
  | { k: 'selected'; q: string; choice: string }
  | { k: 'answered'; q: string }
  | { k: 'bool'; v: boolean }

/** An answer as conditions see it: a choice id, several choice ids, a number, text or an ISO date. */
export type AnswerValue = string | number | string[]
export type AnswerLookup = (questionId: string) => AnswerValue | undefined

export class ConditionSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message)
    this.name = 'ConditionSyntaxError'
  }
}

type Token =
  | { t: 'id'; v: string; p: number }
  | { t: 'str'; v: string; p: number }
  | { t: 'num'; v: number; p: number }
  | { t: 'op'; v: string; p: number }
  | { t: 'end'; p: number }

const ID_START = /[A-Za-z_]/
const ID_PART = /[A-Za-z0-9_.]/

function tokenize(src: string): Token[] {
  const out: Token[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i] as string
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++
    } else if (c === "'" || c === '"') {
      const start = i++
      let v = ''
      while (i < src.length && src[i] !== c) v += src[i++]
      if (i >= src.length)
        throw new ConditionSyntaxError(`unterminated string starting at position ${start + 1}`, start)
      i++
      out.push({ t: 'str', v, p: start })
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const start = i++
      while (i < src.length && /[0-9.]/.test(src[i] as string)) i++
      const text = src.slice(start, i)
      const v = Number(text)
      if (!Number.isFinite(v)) throw new ConditionSyntaxError(`"${text}" is not a number`, start)
      out.push({ t: 'num', v, p: start })
    } else if (ID_START.test(c)) {
      const start = i
      while (i < src.length && ID_PART.test(src[i] as string)) i++
      out.push({ t: 'id', v: src.slice(start, i), p: start })
    } else {
      const two = src.slice(i, i + 2)
      if (two === '!=' || two === '<=' || two === '>=' || two === '==') {
        out.push({ t: 'op', v: two === '==' ? '=' : two, p: i })
        i += 2
      } else if ('=<>(),'.includes(c)) {
        out.push({ t: 'op', v: c, p: i })
        i++
      } else {
        throw new ConditionSyntaxError(`unexpected character "${c}" at position ${i + 1}`, i)
      }
    }
  }
  out.push({ t: 'end', p: src.length })
  return out
}

const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false'])

export function parseCondition(src: string): Expr {
  const tokens = tokenize(src)
  let pos = 0
  const peek = (): Token => tokens[pos] as Token
  const next = (): Token => tokens[pos++] as Token
  const describe = (t: Token): string => (t.t === 'end' ? 'the end' : `"${'v' in t ? t.v : ''}"`)
  const fail = (t: Token, expected: string): never => {
    throw new ConditionSyntaxError(`expected ${expected} but found ${describe(t)} at position ${t.p + 1}`, t.p)
  }
  const isWord = (t: Token, w: string): boolean => t.t === 'id' && t.v === w
  const isOp = (t: Token, o: string): boolean => t.t === 'op' && t.v === o

  function orExpr(): Expr {
    const items = [andExpr()]
    while (isWord(peek(), 'or')) {
      next()
      items.push(andExpr())
    }
    return items.length === 1 ? (items[0] as Expr) : { k: 'or', items }
  }
  function andExpr(): Expr {
    const items = [notExpr()]
    while (isWord(peek(), 'and')) {
      next()
      items.push(notExpr())
    }
    return items.length === 1 ? (items[0] as Expr) : { k: 'and', items }
  }
  function notExpr(): Expr {
    if (isWord(peek(), 'not')) {
      next()
      return { k: 'not', e: notExpr() }
    }
    return primary()
  }
  function questionRef(): string {
    const t = next()
    if (t.t !== 'id' || KEYWORDS.has(t.v)) return fail(t, 'a question id')
    return t.v
  }
  function operand(): Operand {
    const t = next()
    if (t.t === 'str') return { k: 'str', v: t.v }
    if (t.t === 'num') return { k: 'num', v: t.v }
    if (t.t === 'id' && !KEYWORDS.has(t.v)) return { k: 'ref', q: t.v }
    return fail(t, 'a question id, a quoted value or a number')
  }
  function expectOp(o: string): void {
    const t = next()
    if (!isOp(t, o)) fail(t, `"${o}"`)
  }
  function primary(): Expr {
    const t = peek()
    if (isOp(t, '(')) {
      next()
      const e = orExpr()
      expectOp(')')
      return e
    }
    if (isWord(t, 'true') || isWord(t, 'false')) {
      next()
      return { k: 'bool', v: t.t === 'id' && t.v === 'true' }
    }
    if (t.t === 'id' && (t.v === 'selected' || t.v === 'answered') && isOp(tokens[pos + 1] as Token, '(')) {
      next()
      next()
      const q = questionRef()
      if (t.v === 'answered') {
        expectOp(')')
        return { k: 'answered', q }
      }
      expectOp(',')
      const c = next()
      if (c.t !== 'str') fail(c, "a quoted choice id such as 'yes'")
      expectOp(')')
      return { k: 'selected', q, choice: (c as { v: string }).v }
    }
    const left = operand()
    const op = next()
    if (op.t !== 'op' || !['=', '!=', '<', '<=', '>', '>='].includes(op.v)) {
      return fail(op, 'a comparison (=, !=, <, <=, >, >=)')
    }
    const right = operand()
    return { k: 'cmp', op: op.v as CmpOp, left, right }
  }

  const e = orExpr()
  if (peek().t !== 'end') fail(peek(), '"and", "or" or the end')
  return e
}

/** Every question id the expression reads, with the choice ids it names. */
export function references(e: Expr): { question: string; choice?: string }[] {
  switch (e.k) {
    case 'or':
    case 'and':
      return e.items.flatMap(references)
    case 'not':
      return references(e.e)
    case 'cmp': {
      const refs: { question: string; choice?: string }[] = []
      for (const [a, b] of [
        [e.left, e.right],
        [e.right, e.left],
      ] as const) {
        if (a.k === 'ref') refs.push(b.k === 'str' ? { question: a.q, choice: b.v } : { question: a.q })
      }
      return refs
    }
    case 'selected':
      return [{ question: e.q, choice: e.choice }]
    case 'answered':
      return [{ question: e.q }]
    case 'bool':
      return []
  }
}

export type Predicate = (get: AnswerLookup) => boolean

function compare(op: CmpOp, a: AnswerValue | undefined, b: AnswerValue | undefined): boolean {
  // An unanswered question makes every comparison false, including "!=".
  if (a === undefined || b === undefined) return false
  if (Array.isArray(a) || Array.isArray(b)) {
    const list = Array.isArray(a) ? a : (b as string[])
    const other = Array.isArray(a) ? b : a
    if (op === '=') return list.includes(String(other))
    if (op === '!=') return !list.includes(String(other))
    return false
  }
  if (op === '=') return typeof a === typeof b ? a === b : String(a) === String(b)
  if (op === '!=') return typeof a === typeof b ? a !== b : String(a) !== String(b)
  if (typeof a === 'number' && typeof b === 'number') {
    return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b
  }
  if (typeof a === 'string' && typeof b === 'string') {
    // ISO dates compare correctly as strings.
    return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b
  }
  return false
}

/** Compiles an expression once into a closure; scoring evaluates conditions many times. */
export function compileCondition(e: Expr): Predicate {
  switch (e.k) {
    case 'or': {
      const fs = e.items.map(compileCondition)
      return (get) => fs.some((f) => f(get))
    }
    case 'and': {
      const fs = e.items.map(compileCondition)
      return (get) => fs.every((f) => f(get))
    }
    case 'not': {
      const f = compileCondition(e.e)
      return (get) => !f(get)
    }
    case 'bool': {
      const v = e.v
      return () => v
    }
    case 'answered': {
      const q = e.q
      return (get) => {
        const v = get(q)
        return v !== undefined && !(Array.isArray(v) && v.length === 0)
      }
    }
    case 'selected': {
      const { q, choice } = e
      return (get) => {
        const v = get(q)
        return Array.isArray(v) ? v.includes(choice) : v === choice
      }
    }
    case 'cmp': {
      const { op, left, right } = e
      const value = (o: Operand, get: AnswerLookup): AnswerValue | undefined => (o.k === 'ref' ? get(o.q) : o.v)
      return (get) => compare(op, value(left, get), value(right, get))
    }
  }
}
