import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ORGANISATION_KINDS, ROLES } from '../../src/access/access.table.ts'
import { ACTION_STATUSES, REVIEW_DECISIONS } from '../../src/assessment/assessment.table.ts'
import { ASSESSMENT_STATUSES } from '../../src/assessment/lifecycle.ts'
import { VIEWS_DIR } from '../../src/paths.ts'
import { RESPONDENTS } from '../../src/questionnaire/questionnaire.schema.ts'
import { formatters, MESSAGE_KEYS, messages } from '../../src/web/messages.ts'

const templates = readdirSync(VIEWS_DIR, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.eta'))
  .sort()
  .map((f) => ({ name: relative(VIEWS_DIR, join(VIEWS_DIR, f)), src: readFileSync(join(VIEWS_DIR, f), 'utf8') }))

const keys = new Set<string>(MESSAGE_KEYS)

/** Codes stored in the database that templates show through `m('<group>' + code)`, and where they come from. */
const LABEL_GROUPS: Record<string, readonly string[]> = {
  'status.': ASSESSMENT_STATUSES,
  'actionStatus.': ACTION_STATUSES,
  'decision.': REVIEW_DECISIONS,
  'role.': ROLES,
  'kind.': ORGANISATION_KINDS,
  'respondent.': RESPONDENTS,
  // assessment_access.kind
  'share.': ['requested', 'shared'],
  // a consistency rule's suspected flag (result.suspectedFlags[].status)
  'review.ruleStatus.': ['open', 'cleared', 'confirmed'],
}

/**
 * Words a template may write outside the catalogue: the product's name, which no translation changes.
 * Everything else a reader sees (text between tags, aria-label, placeholder, title, alt) comes from `m()`.
 */
const ALLOWED_WORDS = new Set(['Fairhire'])

type Call = { template: string; html: boolean; key: string; dynamic: boolean }

/** Every `m('…')` and `m.html('…')` call; a first argument that is neither a literal nor `'group.' + code` is reported. */
function calls(): { found: Call[]; bad: string[] } {
  const found: Call[] = []
  const bad: string[] = []
  for (const t of templates) {
    for (const code of t.src.match(/<%[\s\S]*?%>/g) ?? []) {
      for (const c of code.matchAll(/(?<![\w.$])m(\.html)?\(\s*/g)) {
        const rest = code.slice((c.index ?? 0) + c[0].length)
        const lit = /^'([^'\\]+)'\s*([,)+])/.exec(rest)
        if (!lit) {
          bad.push(`${t.name}: ${code.trim()}`)
          continue
        }
        found.push({ template: t.name, html: !!c[1], key: lit[1] ?? '', dynamic: lit[2] === '+' })
      }
    }
  }
  return { found, bad }
}

/** The text a template writes itself: eta tags, scripts and styles taken out. */
function literalText(src: string): string[] {
  const markup = src
    .replace(/<%[\s\S]*?%>/g, '\u0001')
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<style[\s\S]*?<\/style>/g, '')
  const between = [...markup.matchAll(/>([^<>]*)</g)].map((x) => x[1] ?? '')
  const attributes = [...markup.matchAll(/\b(?:aria-label|placeholder|title|alt)="([^"]*)"/g)].map((x) => x[1] ?? '')
  return [...between, ...attributes].flatMap((s) => s.split('\u0001'))
}

describe('message catalogue', () => {
  it('has every key a template uses, literal or as a label group', () => {
    const { found, bad } = calls()
    expect(bad, 'm() with a first argument that is not a literal key').toEqual([])
    expect(found.length).toBeGreaterThan(300)
    const missing = found.filter((c) => !c.dynamic && !keys.has(c.key)).map((c) => `${c.template}: ${c.key}`)
    expect(missing).toEqual([])
    const groups = [...new Set(found.filter((c) => c.dynamic).map((c) => c.key))]
    expect(groups.filter((g) => !(g in LABEL_GROUPS))).toEqual([])
    const unlabelled = Object.entries(LABEL_GROUPS).flatMap(([g, codes]) =>
      codes.map((code) => `${g}${code}`).filter((k) => !keys.has(k)),
    )
    expect(unlabelled).toEqual([])
  })

  it('prints markup only from keys ending in Html, and those only through m.html', () => {
    const { found } = calls()
    const wrong = found
      .filter((c) => !c.dynamic && c.html !== c.key.endsWith('Html'))
      .map((c) => `${c.template}: ${c.html ? 'm.html' : 'm'}('${c.key}')`)
    expect(wrong).toEqual([])
    for (const t of templates) {
      // `<%~ %>` prints without escaping: the page body, m.html, an attribute the template built itself, or a
      // partial of views/partials/ (a template like the others, held to these same rules by this loop).
      for (const raw of t.src.match(/<%~[\s\S]*?%>/g) ?? []) {
        expect(raw.slice(3, -2).trim(), t.name).toMatch(
          /^(it\.body|[\w]+|.*\bm\.html\(.*|include\('\/partials\/[^']*'.*\))$/,
        )
      }
    }
  })

  it('leaves no English text in the templates outside m()', () => {
    const found: string[] = []
    for (const t of templates) {
      for (const text of literalText(t.src)) {
        // A web address shown as it is (the questionnaire's API address) is not language.
        const words = (text.replace(/[/?][\w/?=&.-]*/g, '').match(/[A-Za-z]{3,}/g) ?? []).filter(
          (w) => !ALLOWED_WORDS.has(w),
        )
        if (words.length) found.push(`${t.name}: ${text.trim()}`)
      }
      // Phrases hidden in template code, such as `x ? 'not asked' : …`.
      for (const code of t.src.match(/<%[\s\S]*?%>/g) ?? []) {
        for (const lit of code.matchAll(/'((?:[^'\\]|\\.)*)'/g)) {
          const s = lit[1] ?? ''
          if (!s.includes('=') && /[A-Za-z]{3,}\s+[A-Za-z]{3,}/.test(s)) found.push(`${t.name}: '${s}'`)
        }
      }
    }
    expect(found).toEqual([])
  })

  it('fills values once, escapes them in m.html, and falls back to English', () => {
    const m = messages('en')
    expect(m('answer.progress', { answered: 3, applicable: 7 })).toBe('3 of 7 questions answered')
    expect(m('people.title', { organisation: '{organisation}' })).toBe('People in {organisation}')
    expect(m.html('invitations.createdHtml', { email: '<a@b.example>' })).toBe(
      'Send this link to <strong>&lt;a@b.example&gt;</strong>. It works once and expires in 14 days.',
    )
    expect(messages('xx')('nav.portfolio')).toBe('Portfolio')
  })

  it('formats dates and numbers for the language', () => {
    const f = formatters('en')
    expect(f.date('2026-12-20')).toBe('20 Dec 2026')
    expect(f.date('2026-11-20T23:30:00.000Z')).toBe('20 Nov 2026')
    expect(f.date(null)).toBe('')
    expect(f.number(60.74)).toBe('60.7')
    expect(f.number(1234)).toBe('1,234')
    expect(f.number(null)).toBe('–')
  })
})
