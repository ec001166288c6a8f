import { isUtf8 } from 'node:buffer'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiToken } from '../../src/access/api-token.service.ts'
import type { Db } from '../../src/db/connection.ts'
import { VERIFICATION_METHODS } from '../../src/questionnaire/answers.ts'
import { testApp } from '../helpers/app.ts'
import { tableDigests } from '../helpers/db-state.ts'
import { answersArb, bestAnswers, compiled, PROFILE } from '../helpers/scoring.ts'
import { buildWorld } from '../helpers/world.ts'

/**
 * Property-based fuzzing of every JSON API body. Inputs are random values, and valid bodies mutated
 * structurally (wrong types, unknown keys, nested garbage, huge and odd strings, extreme numbers) and
 * textually (prototype-pollution keys, numbers JSON.parse turns into Infinity, truncation, a byte-order
 * mark, deep nesting, invalid UTF-8). Whatever arrives:
 *  - the answer is never a 5xx;
 *  - a 4xx changes no data and says what is wrong (a message, and the field where there is one);
 *  - a 2xx was a body the API documents (no unknown keys, real dates).
 *
 * `npm test` runs FAIRHIRE_FUZZ_RUNS cases per property (60 by default) from a fixed seed, so it is
 * repeatable; `npm run fuzz` runs 2,000 from a random seed. FAIRHIRE_FUZZ_SEED replays a failure.
 */
const RUNS = Number(process.env.FAIRHIRE_FUZZ_RUNS ?? 60)
const SEED = process.env.FAIRHIRE_FUZZ_SEED
  ? Number(process.env.FAIRHIRE_FUZZ_SEED)
  : process.env.FAIRHIRE_FUZZ_RUNS
    ? undefined
    : 20261128
const params = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) }
// About 15 ms a case here; a generous allowance so that `npm run fuzz` is bounded by cases, not the clock.
const TIMEOUT = 20_000 + RUNS * 150

// Inputs -------------------------------------------------------------------------------------------------

const oddString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  // Lone surrogates and control characters.
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e',
    '\ufeff',
    '𝕏👩🏽‍🔧',
    'A0.1',
    'A6.1',
    'employer',
    'recruiter',
    'default@1',
    'latest',
    '2099-12-31',
    '2099-02-30',
    '0000-00-00',
    '../../etc/passwd',
    "'; drop table answer; --",
    '<script>alert(1)</script>',
    '=HYPERLINK("http://x")',
    '__proto__',
    'constructor',
    'toString',
    'NaN',
    '1e400',
    // Lone surrogates: JSON carries them as escapes, UTF-8 cannot.
    '\ud800',
    'a\udc00b',
  ),
  // Huge strings, around every limit the API has (64, 200, 5,000, 10,000, 20,000) and beyond.
  fc.integer({ min: 60, max: 70_000 }).map((n) => 'x'.repeat(n)),
)
const oddNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1, -1, 0.5, 1e308, -1e308, 5e-324, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 2 ** 64),
)
const oddKey = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '__defineGetter__',
    '',
    'A0.1',
    'A6.1',
    'Z.9',
    'answers',
    'comments',
    'versions',
    'evidence',
    'verified',
    'questionnaire',
    'answer',
  ),
  oddString,
)
const garbage: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    oddNumber,
    oddString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(oddKey, tie('value'), { maxKeys: 4 }),
  ),
})).value

type Op = { kind: 'set' | 'delete' | 'add' | 'wrap' | 'stringify'; at: number; key: string; value: unknown }
const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('set', 'delete', 'add', 'wrap', 'stringify'),
  at: fc.nat(),
  key: oddKey,
  value: garbage,
})

/** Sets a property as data, even "__proto__", which plain assignment would treat as the prototype. */
function put(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })
}

/** Applies structural mutations to a copy of a body; `at` picks any node, the root included. */
function mutate(body: unknown, ops: Op[]): unknown {
  const root = { v: structuredClone(body) as unknown }
  for (const o of ops) {
    const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = []
    const walk = (parent: Record<string, unknown> | unknown[], key: string | number) => {
      slots.push({ parent, key })
      const v = (parent as Record<string | number, unknown>)[key]
      if (Array.isArray(v)) for (let i = 0; i < v.length; i++) walk(v, i)
      else if (v && typeof v === 'object') for (const k of Object.keys(v)) walk(v as Record<string, unknown>, k)
    }
    walk(root, 'v')
    const slot = slots[o.at % slots.length] as (typeof slots)[number]
    const parent = slot.parent
    const current = (parent as Record<string | number, unknown>)[slot.key]
    const replace = (value: unknown) => {
      if (Array.isArray(parent)) parent[slot.key as number] = value
      else put(parent, slot.key as string, value)
    }
    switch (o.kind) {
      case 'set':
        replace(o.value)
        break
      case 'delete':
        if (Array.isArray(parent)) parent.splice(slot.key as number, 1)
        else if (parent !== root) delete parent[slot.key as string]
        else root.v = undefined
        break
      case 'add':
        if (Array.isArray(current)) current.push(o.value)
        else if (current && typeof current === 'object') put(current, o.key, o.value)
        else replace(o.value)
        break
      case 'wrap': {
        const wrapper = {}
        put(wrapper, o.key, current)
        replace(o.at % 2 === 0 ? [current] : wrapper)
        break
      }
      case 'stringify':
        replace(JSON.stringify(current) ?? String(current))
        break
    }
  }
  return root.v
}

type TextOp =
  | { kind: 'none' | 'proto' | 'constructor' | 'bom' | 'duplicate' }
  | { kind: 'number'; literal: string }
  | { kind: 'truncate' | 'badUtf8'; at: number; bytes: readonly number[] }
  | { kind: 'trailing'; text: string }
const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: 'none' as const }) },
  fc.constantFrom(
    { kind: 'proto' as const },
    { kind: 'constructor' as const },
    { kind: 'bom' as const },
    { kind: 'duplicate' as const },
  ),
  fc.record({
    kind: fc.constant('number' as const),
    literal: fc.constantFrom('1e400', '-1e400', '-0', '1E-400', 'NaN', 'Infinity', '0x10', '01', '1.', '.5', '+1'),
  }),
  fc.record({
    kind: fc.constantFrom('truncate' as const, 'badUtf8' as const),
    at: fc.nat(),
    bytes: fc.constantFrom([0xff], [0xfe, 0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf]),
  }),
  fc.record({ kind: fc.constant('trailing' as const), text: fc.constantFrom('}', ',', ' x', '{}', '\u0000') }),
)

/** The bytes sent: the body as JSON, then one textual mutation. */
function encode(body: unknown, t: TextOp): Buffer {
  const json = body === undefined ? '' : (JSON.stringify(body) ?? '')
  const obj = json.startsWith('{') && json !== '{}'
  switch (t.kind) {
    case 'none':
      return Buffer.from(json)
    case 'proto':
      return Buffer.from(obj ? `{"__proto__":{"polluted":"yes"},${json.slice(1)}` : '{"__proto__":{"polluted":"yes"}}')
    case 'constructor':
      return Buffer.from(obj ? `{"constructor":{"prototype":{"polluted":"yes"}},${json.slice(1)}` : json)
    case 'bom':
      return Buffer.from(`\ufeff${json}`)
    case 'duplicate':
      return Buffer.from(obj ? `{"answers":{},"questionnaire":"employer",${json.slice(1)}` : json)
    case 'number':
      return Buffer.from(
        /-?\d+(\.\d+)?([eE][+-]?\d+)?/.test(json)
          ? json.replace(/-?\d+(\.\d+)?([eE][+-]?\d+)?/, t.literal)
          : `{"x":${t.literal}}`,
      )
    case 'truncate':
      return Buffer.from(json.slice(0, json.length === 0 ? 0 : t.at % json.length))
    case 'badUtf8': {
      const b = Buffer.from(json)
      const quote = b.indexOf(0x22)
      const at = quote >= 0 ? quote + 1 : t.at % (b.length + 1)
      return Buffer.concat([b.subarray(0, at), Buffer.from(t.bytes), b.subarray(at)])
    }
    case 'trailing':
      return Buffer.from(json + t.text)
  }
}

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  fc.constantFrom(
    'application/json; charset=utf-8',
    'application/json; charset=latin1',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
    'multipart/form-data; boundary=x',
    'multipart/form-data',
  ),
)

/** Any body: mostly a valid one mutated, sometimes valid as is, sometimes pure garbage. */
function bodies(valid: fc.Arbitrary<unknown>): fc.Arbitrary<{ value: unknown; text: TextOp; type: string }> {
  return fc.record({
    value: fc.oneof(
      { weight: 2, arbitrary: valid },
      {
        weight: 5,
        arbitrary: fc.tuple(valid, fc.array(op, { minLength: 1, maxLength: 3 })).map(([b, ops]) => mutate(b, ops)),
      },
      { weight: 1, arbitrary: garbage },
    ),
    text: textOp,
    type: contentType,
  })
}

// Oracles ------------------------------------------------------------------------------------------------

/** Whether any string of a value, key or text, holds a lone surrogate (the u flag pairs the others). */
function hasLoneSurrogate(v: unknown): boolean {
  const stack = [v]
  while (stack.length > 0) {
    const x = stack.pop()
    if (typeof x === 'string' && /\p{Cs}/u.test(x)) return true
    if (x !== null && typeof x === 'object')
      for (const [k, y] of Object.entries(x)) {
        if (/\p{Cs}/u.test(k)) return true
        stack.push(y)
      }
  }
  return false
}

type Problem = { statusCode?: unknown; message?: unknown; issues?: unknown; code?: unknown }

/** A 4xx must say what is wrong: the field where there is one, else a message that names the thing. */
function namesTheProblem(status: number, body: Problem): string | undefined {
  if (typeof body.message !== 'string' || body.message.trim() === '') return 'no message'
  if (body.statusCode !== status) return `statusCode ${String(body.statusCode)} in a ${status} body`
  // A URL that does not decode ("%c3") is refused by Fastify's router before any handler of the app runs,
  // in Fastify's own shape (no issues list); its message names the URL.
  if (body.code === 'FST_ERR_BAD_URL' && status === 400) return undefined
  if (!Array.isArray(body.issues)) return 'no issues list'
  for (const i of body.issues as { field?: unknown; message?: unknown }[]) {
    if (typeof i.field !== 'string' || i.field === '' || typeof i.message !== 'string' || i.message === '')
      return `an issue without field or message: ${JSON.stringify(i)}`
  }
  if (status === 400 && body.issues.length === 0 && !/body|JSON|prototype|UTF-8|url|\b[A-Z]\d/i.test(body.message))
    return 'a 400 with no field and a message naming nothing'
  return undefined
}

/** A serialisation of every table, to compare before and after a refused request. */
function digestsOf(db: Db): Promise<Map<string, string>> {
  // Authenticating stamps the token's last use (at most once a minute); that is not the request's doing.
  return tableDigests(db, undefined, (table, row) => {
    if (table === 'api_token') row.last_used_at = null
  })
}

describe('fuzzing the JSON API', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let w: Awaited<ReturnType<typeof buildWorld>>
  let brandToken: string
  let supplierToken: string
  const employer = compiled('employer').cq
  const questionIds = employer.entries.map((e) => e.question.id)
  const seen = new Map<string, Map<number, number>>()
  /** A fuzzer that only ever hits validation proves little: each property must see both outcomes. */
  function reachedBoth(name: string) {
    const statuses = [...(seen.get(name)?.keys() ?? [])]
    expect(
      statuses.some((s) => s < 300),
      `${name}: no success among ${statuses}`,
    ).toBe(true)
    expect(
      statuses.some((s) => s >= 400),
      `${name}: no refusal among ${statuses}`,
    ).toBe(true)
  }

  beforeAll(async () => {
    t = await testApp()
    w = await buildWorld(t.app)
    brandToken = w.tokenA.token
    supplierToken = (await createApiToken(t.app.db, w.principals.adminSA, 'fuzz', 'respondent')).token
    // Supplier A's self-check is submitted, so that sharing it can succeed; the requested one stays a draft.
    const submitted = w.assessments.selfA
    const headers = { authorization: `Bearer ${supplierToken}` }
    const answers = bestAnswers(employer, PROFILE)
    const saved = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/assessments/${submitted}/answers`,
      headers,
      payload: { answers },
    })
    expect(saved.statusCode, saved.body).toBe(200)
    const done = await t.app.inject({ method: 'POST', url: `/api/v1/assessments/${submitted}/submit`, headers })
    expect(done.statusCode, done.body).toBe(200)
  }, 60_000)

  afterAll(async () => {
    await t?.close()
    if (process.env.FAIRHIRE_FUZZ_VERBOSE)
      console.log(Object.fromEntries([...seen].map(([k, v]) => [k, Object.fromEntries(v)])))
  })

  let cache: { changes: number; digests: Map<string, string> } | undefined
  /**
   * How many rows were written so far: SQLite counts them (total_changes), so digests are recomputed only
   * when it moved. PostgreSQL has no such cheap counter for other sessions' writes: always recomputed.
   */
  const totalChanges = () =>
    t.app.sqlite ? (t.app.sqlite.prepare('select total_changes() as n').get() as { n: number }).n : Number.NaN
  async function digests() {
    const changes = totalChanges()
    if (!(cache?.changes === changes)) cache = { changes, digests: await digestsOf(t.app.db) }
    return cache
  }

  /**
   * Sends one request and checks the oracles; `accepted` says whether a 2xx was right for what was sent.
   */
  async function send(
    name: string,
    req: { method: 'POST' | 'PUT' | 'DELETE'; url: string; token: string; payload?: Buffer; type?: string },
    accepted: (sent: unknown) => string | undefined | Promise<string | undefined> = () => undefined,
  ): Promise<LightMyRequestResponse> {
    const before = await digests()
    const res = await t.app.inject({
      method: req.method,
      url: req.url,
      headers: {
        authorization: `Bearer ${req.token}`,
        ...(req.payload === undefined ? {} : { 'content-type': req.type ?? 'application/json' }),
      },
      ...(req.payload === undefined ? {} : { payload: req.payload }),
    })
    const counts = seen.get(name) ?? new Map<number, number>()
    counts.set(res.statusCode, (counts.get(res.statusCode) ?? 0) + 1)
    seen.set(name, counts)
    const shown = `${req.method} ${req.url} ${req.type ?? ''} ${req.payload?.toString('utf8').slice(0, 500) ?? ''}`
    expect(res.statusCode, `${shown}\n→ ${res.body.slice(0, 500)}`).toBeLessThan(500)
    // Nothing reached Object.prototype, whatever keys the body had.
    expect(({} as Record<string, unknown>).polluted, shown).toBeUndefined()
    if (res.statusCode >= 400) {
      let body: Problem
      try {
        body = JSON.parse(res.body) as Problem
      } catch {
        throw new Error(`${shown}\n→ ${res.statusCode} with a body that is not JSON: ${res.body.slice(0, 200)}`)
      }
      const wrong = namesTheProblem(res.statusCode, body)
      expect(wrong, `${shown}\n→ ${res.statusCode} ${res.body.slice(0, 500)}`).toBeUndefined()
      if (!(totalChanges() === before.changes)) {
        const after = await digestsOf(t.app.db)
        const changed = [...after].filter(([k, v]) => before.digests.get(k) !== v).map(([k]) => k)
        expect(changed, `${shown}\n→ ${res.statusCode} changed data`).toEqual([])
      }
    } else {
      let sent: unknown
      const text = req.payload?.toString('utf8')
      try {
        if (text === undefined) sent = undefined
        else if (req.type?.startsWith('application/x-www-form-urlencoded'))
          sent = Object.fromEntries(new URLSearchParams(text))
        // A leading byte-order mark is allowed (RFC 8259 lets a parser ignore it), so the oracle ignores it too.
        else sent = JSON.parse(text.replace(/^\ufeff/, ''))
      } catch {
        sent = Symbol('unparseable')
      }
      const why =
        req.payload !== undefined && !isUtf8(req.payload)
          ? 'accepted bytes that are not UTF-8'
          : hasLoneSurrogate(sent)
            ? 'accepted text with a lone surrogate'
            : await accepted(sent)
      expect(why, `${shown}\n→ ${res.statusCode} ${res.body.slice(0, 300)}`).toBeUndefined()
    }
    return res
  }

  /** A 2xx may only answer a JSON object whose keys the route documents. */
  const onlyKeys =
    (
      keys: string[],
      more: (o: Record<string, unknown>) => string | undefined | Promise<string | undefined> = () => undefined,
    ) =>
    (sent: unknown): string | undefined | Promise<string | undefined> => {
      if (!sent || typeof sent !== 'object' || Array.isArray(sent)) return 'accepted a body that is not an object'
      const unknown = Object.keys(sent).filter((k) => !keys.includes(k))
      if (unknown.length > 0) return `accepted unknown keys ${JSON.stringify(unknown)}`
      return more(sent as Record<string, unknown>)
    }

  const someAnswers = answersArb(employer).chain((all) =>
    fc
      .subarray(Object.keys(all), { maxLength: Math.min(8, Object.keys(all).length) })
      .map((keys) => Object.fromEntries(keys.map((k) => [k, all[k]]))),
  )
  const someIds = fc.subarray(questionIds, { maxLength: 4 })

  it('POST /api/v1/score', { timeout: TIMEOUT }, async () => {
    const valid = fc.record(
      {
        questionnaire: fc.constantFrom('employer', 'employer', 'recruiter', 'brand'),
        version: fc.constantFrom('1', 'latest'),
        rubric: fc.constantFrom('default', 'default@1'),
        answers: answersArb(employer),
        evidence: someIds,
        verified: someIds.chain((ids) =>
          fc
            .tuple(...ids.map(() => fc.constantFrom(...VERIFICATION_METHODS)))
            .map((m) => Object.fromEntries(ids.map((id, i) => [id, m[i]]))),
        ),
      },
      { requiredKeys: ['questionnaire', 'answers'] },
    )
    await fc.assert(
      fc.asyncProperty(bodies(valid), async (b) => {
        await send(
          'score',
          { method: 'POST', url: '/api/v1/score', token: brandToken, payload: encode(b.value, b.text), type: b.type },
          onlyKeys(['questionnaire', 'version', 'rubric', 'answers', 'evidence', 'verified']),
        )
      }),
      params,
    )
    reachedBoth('score')
  })

  it('PUT /api/v1/assessments/:id/answers', { timeout: TIMEOUT }, async () => {
    /** What a 2xx acknowledged is what is stored: comments come back as sent (trimmed, blank as none). */
    const commentsStoredAsSent = async (sent: Record<string, unknown>) => {
      const res = await t.app.inject({
        url: `/api/v1/assessments/${w.assessments.requested}/answers`,
        headers: { authorization: `Bearer ${supplierToken}` },
      })
      const stored = res.json() as Record<string, { comment: string | null }>
      for (const [q, c] of Object.entries((sent.comments ?? {}) as Record<string, string | null>)) {
        const expected = typeof c === 'string' ? c.trim() || null : null
        if ((stored[q]?.comment ?? null) !== expected)
          return `comment of ${q} stored as ${JSON.stringify(stored[q]?.comment)}, sent ${JSON.stringify(c)}`
      }
      return undefined
    }
    const valid = fc.record(
      {
        answers: someAnswers,
        comments: fc.dictionary(
          fc.constantFrom(...questionIds),
          fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('São Paulo', '  x  ', 'a\ud800', '\udfff'))),
          { maxKeys: 3 },
        ),
        versions: fc.dictionary(fc.constantFrom(...questionIds), fc.nat(3), { maxKeys: 3 }),
      },
      { requiredKeys: ['answers'] },
    )
    await fc.assert(
      fc.asyncProperty(bodies(valid), async (b) => {
        await send(
          'answers',
          {
            method: 'PUT',
            url: `/api/v1/assessments/${w.assessments.requested}/answers`,
            token: supplierToken,
            payload: encode(b.value, b.text),
            type: b.type,
          },
          onlyKeys(['answers', 'comments', 'versions'], commentsStoredAsSent),
        )
      }),
      params,
    )
    reachedBoth('answers')
  })

  it('POST /api/v1/requests', { timeout: TIMEOUT }, async () => {
    const valid = fc.record(
      {
        // Mostly the one request that can succeed (brand A's supplier, the employer questionnaire).
        organisationId: fc.constantFrom(w.supplierA, w.supplierA, w.supplierA, w.supplierB, w.brandB),
        questionnaire: fc.constantFrom('employer', 'employer', 'employer', 'recruiter', 'brand'),
        dueDate: fc.constantFrom(null, '2099-12-31', '2099-02-28', '2099-02-30', '2099-13-01', '2000-01-01'),
      },
      { requiredKeys: ['organisationId', 'questionnaire'] },
    )
    const realDate = (o: Record<string, unknown>) => {
      const d = o.dueDate
      if (d === undefined || d === null) return undefined
      const day = typeof d === 'string' ? new Date(`${d}T00:00:00Z`) : new Date(Number.NaN)
      return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === d
        ? undefined
        : `accepted the due date ${JSON.stringify(d)}`
    }
    await fc.assert(
      fc.asyncProperty(bodies(valid), async (b) => {
        await send(
          'requests',
          {
            method: 'POST',
            url: '/api/v1/requests',
            token: brandToken,
            payload: encode(b.value, b.text),
            type: b.type,
          },
          onlyKeys(['organisationId', 'questionnaire', 'dueDate'], realDate),
        )
      }),
      params,
    )
    reachedBoth('requests')
  })

  it('POST /api/v1/assessments', { timeout: TIMEOUT }, async () => {
    const valid = fc.record(
      { questionnaire: fc.constantFrom('employer', 'recruiter', 'brand'), title: fc.string({ maxLength: 60 }) },
      { requiredKeys: ['questionnaire'] },
    )
    await fc.assert(
      fc.asyncProperty(bodies(valid), async (b) => {
        await send(
          'self-check',
          {
            method: 'POST',
            url: '/api/v1/assessments',
            token: supplierToken,
            payload: encode(b.value, b.text),
            type: b.type,
          },
          onlyKeys(['questionnaire', 'title']),
        )
      }),
      params,
    )
    reachedBoth('self-check')
  })

  it('PUT and DELETE /api/v1/assessments/:id/shares/:orgId', { timeout: TIMEOUT }, async () => {
    const oddParam = fc.oneof(
      fc.constantFrom(
        '0',
        '-1',
        '1.5',
        '1e3',
        '0x1',
        ' 1',
        '1 ',
        '9'.repeat(30),
        'abc',
        '',
        'null',
        '%00',
        '%2e%2e',
        '%ff',
        '%c3',
        '%',
        '1%2F2',
      ),
      // encodeURIComponent cannot encode a lone surrogate; raw bad bytes come from the constants above.
      oddString.filter((s) => s.length < 200).map((s) => encodeURIComponent(s.replace(/\p{Cs}/gu, '\ufffd'))),
    )
    const id = fc.oneof(
      { weight: 3, arbitrary: fc.constant(String(w.assessments.selfA)) },
      fc.constantFrom(String(w.assessments.requested), String(w.assessments.selfB)),
      oddParam,
    )
    const orgId = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(String(w.brandA), String(w.brandB)) },
      fc.constantFrom(String(w.supplierA), String(w.supplierB), '999999'),
      oddParam,
    )
    const body = fc.option(
      fc
        .record({ value: garbage, text: textOp, type: contentType })
        .map((b) => ({ payload: encode(b.value, b.text), type: b.type })),
    )
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('PUT' as const, 'DELETE' as const), id, orgId, body, async (method, i, o, b) => {
        await send('shares', {
          method,
          url: `/api/v1/assessments/${i}/shares/${o}`,
          token: supplierToken,
          ...(b ? { payload: b.payload, type: b.type } : {}),
        })
      }),
      params,
    )
    reachedBoth('shares')
  })
})

describe('bad input, by example', () => {
  let t: Awaited<ReturnType<typeof testApp>>
  let url: string
  let token: string
  beforeAll(async () => {
    t = await testApp()
    const w = await buildWorld(t.app)
    token = (await createApiToken(t.app.db, w.principals.adminSA, 'examples', 'respondent')).token
    url = `/api/v1/assessments/${w.assessments.requested}/answers`
  }, 60_000)
  afterAll(async () => {
    await t?.close()
  })

  /** Sends raw bytes as JSON; the answer must be a 4xx that changed nothing. */
  async function refused(payload: Buffer | string, type = 'application/json') {
    const before = await digestsOf(t.app.db)
    const res = await t.app.inject({
      method: 'PUT',
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      payload,
    })
    expect(res.statusCode, res.body.slice(0, 300)).toBeGreaterThanOrEqual(400)
    expect(res.statusCode, res.body.slice(0, 300)).toBeLessThan(500)
    expect(await digestsOf(t.app.db)).toEqual(before)
    const body = res.json() as { message: string; issues: { field: string; message: string }[] }
    expect(namesTheProblem(res.statusCode, body)).toBeUndefined()
    return { status: res.statusCode, ...body }
  }

  it('an oversized body: 413', async () => {
    const r = await refused(JSON.stringify({ answers: { 'A0.1b': 'x'.repeat(2 * 1024 * 1024) } }))
    expect(r).toMatchObject({ status: 413, message: 'Request body is too large' })
  })

  it('deeply nested JSON: 400 naming the answer', async () => {
    const depth = 200_000
    const arrays = await refused(`{"answers":{"A0.1b":${'['.repeat(depth)}${']'.repeat(depth)}}}`)
    expect(arrays.issues).toEqual([{ field: 'body.answers.A0.1b', message: expect.any(String) }])
    const objects = await refused(`{"answers":{"A0.1b":${'{"a":'.repeat(depth / 4)}1${'}'.repeat(depth / 4)}}}`)
    expect(objects.issues).toEqual([{ field: 'body.answers.A0.1b', message: expect.any(String) }])
  })

  it('huge strings: 400 naming the field and the limit', async () => {
    expect((await refused(JSON.stringify({ answers: { 'A0.1b': 'x'.repeat(10_001) } }))).issues).toEqual([
      { field: 'answers.A0.1b', message: 'is longer than 10,000 characters' },
    ])
    expect((await refused(JSON.stringify({ answers: { 'A0.1b': 'x'.repeat(20_001) } }))).issues[0]?.field).toBe(
      'body.answers.A0.1b',
    )
    expect((await refused(JSON.stringify({ comments: { 'A0.1b': 'x'.repeat(5_001) } }))).issues[0]?.field).toBe(
      'body.comments.A0.1b',
    )
    expect((await refused(JSON.stringify({ answers: { ['Q'.repeat(65)]: 'x' } }))).issues[0]?.field).toMatch(
      /^body\.answers/,
    )
  })

  it('bytes that are not UTF-8, and text with a lone surrogate: 400, never stored as replacement characters', async () => {
    for (const bytes of [[0xe3], [0xff, 0xfe], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80]]) {
      const r = await refused(
        Buffer.concat([Buffer.from('{"comments":{"A0.1b":"S'), Buffer.from(bytes), Buffer.from('o Paulo"}}')]),
      )
      expect(r.message).toBe('The body is not valid UTF-8. Send JSON encoded as UTF-8.')
    }
    const lone = await refused('{"comments":{"A0.1b":"S\\ud800o Paulo"}}')
    expect(lone.issues).toEqual([{ field: 'body.comments.A0.1b', message: 'is not valid Unicode text' }])
    // A well-formed pair, escaped or not, is text like any other.
    const ok = await t.app.inject({
      method: 'PUT',
      url,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
      payload: '{"comments":{"A0.1b":"S\\u00e3o Paulo \\ud83d\\ude00 😀"}}',
    })
    expect(ok.statusCode, ok.body).toBe(200)
    const stored = (await t.app.inject({ url, headers: { authorization: `Bearer ${token}` } })).json()
    expect(stored['A0.1b'].comment).toBe('São Paulo 😀 😀')
  })

  it('unknown fields: 400 naming the key, instead of a save that saves nothing', async () => {
    const r = await refused(JSON.stringify({ answer: { 'A0.1': 'TH' } }))
    expect(r.issues).toEqual([{ field: 'body', message: 'Unrecognized key: "answer"' }])
  })

  it('prototype-pollution keys: 400, and Object.prototype untouched', async () => {
    await refused('{"answers":{},"__proto__":{"polluted":"yes"}}')
    await refused('{"answers":{"__proto__":{"polluted":"yes"}}}')
    await refused('{"answers":{},"constructor":{"prototype":{"polluted":"yes"}}}')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('not JSON at all: 400 or 415 saying so', async () => {
    expect((await refused('')).message).toBe("Body cannot be empty when content-type is set to 'application/json'")
    expect((await refused('{"answers":')).message).toBe(
      "Body is not valid JSON but content-type is set to 'application/json'",
    )
    expect((await refused('[]')).issues[0]?.field).toBe('body')
    expect((await refused('answers', 'application/octet-stream')).status).toBe(415)
    // Form bodies are for the pages; the API says so instead of half-reading them.
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await refused('answers=%ff', type)
      expect(r.status, type).toBe(415)
      expect(r.message).toBe(`The API reads JSON: send the body as application/json, not ${type.split(';')[0]}.`)
    }
  })

  it('malformed multipart bodies on the upload pages: 400, not an internal error', async () => {
    const part = '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.test\r\n'
    for (const url of [
      '/assessments/1/sections/A0',
      '/assessments/1/action-plan.xlsx',
      '/assessments/1/questionnaire.xlsx',
    ])
      for (const [type, payload] of [
        ['multipart/form-data; boundary=x', part],
        ['multipart/form-data; boundary=x', 'null'],
        ['multipart/form-data', `${part}--x--\r\n`],
        [`multipart/form-data; boundary=${'b'.repeat(300)}`, part],
      ] as const) {
        const page = await t.app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload })
        expect(page.statusCode, `${url} ${type} ${payload}: ${page.body.slice(0, 300)}`).toBe(400)
        expect(page.body).toContain('The request body could not be read as form data: ')
      }
  })

  it('a multipart body where no upload is taken: 415, naming the type', async () => {
    const page = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'multipart/form-data; boundary=x', accept: 'application/json' },
      payload: '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.test\r\n--x--\r\n',
    })
    expect(page.statusCode).toBe(415)
    expect(page.json()).toMatchObject({
      message: expect.stringContaining('does not read multipart/form-data bodies'),
      issues: [{ field: 'content-type' }],
    })
  })
})
