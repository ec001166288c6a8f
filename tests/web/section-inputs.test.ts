import { describe, expect, it } from 'vitest'
import { VIEWS_DIR } from '../../src/paths.ts'
import { QUESTION_TYPES } from '../../src/questionnaire/questionnaire.schema.ts'
import { type QuestionView, routeRows } from '../../src/web/answer-page.ts'
import { createEta } from '../../src/web/eta.ts'
import { formatters, messages } from '../../src/web/messages.ts'
import { type SectionPage, sectionPage } from '../../src/web/view-models/answer.ts'

// The section page draws each question type's input from its own partial (views/partials/answer/).
// Rendered as the view plugin renders it, one question of every type, answered.
const eta = createEta(VIEWS_DIR)

const VALUES: Record<string, QuestionView['value']> = {
  single: 'b',
  scale: 'b',
  multi: ['a', 'b'],
  number: 12,
  text: 'Written <policy>',
  date: '2026-11-30',
  country: 'NP',
  corridors: ['NP:450:b', 'TH:20:a'],
}

function question(type: string, editable = true): QuestionView {
  return {
    id: `Q.${type}`,
    text: `Question ${type}`,
    help: '',
    evidenceHint: '',
    sources: [],
    type,
    required: false,
    applies: true,
    when: null,
    choices:
      type === 'country'
        ? [
            { id: 'NP', label: 'Nepal' },
            { id: 'TH', label: 'Thailand' },
          ]
        : [
            { id: 'a', label: 'First' },
            { id: 'b', label: 'Second' },
          ],
    value: VALUES[type] ?? null,
    comment: '',
    version: 1,
    error: type === 'number' ? 'Enter a number.' : null,
    conflict: null,
    editable,
    returnedComment: null,
    evidence: [],
    min: type === 'number' ? 0 : undefined,
    max: undefined,
    step: type === 'number' ? '1' : undefined,
    unit: type === 'number' ? 'workers' : '',
    ...(type === 'corridors'
      ? {
          routes: routeRows(VALUES.corridors ?? null),
          routeDestination: false,
          countries: [
            { id: 'NP', label: 'Nepal' },
            { id: 'TH', label: 'Thailand' },
          ],
        }
      : {}),
  }
}

function render(questions: QuestionView[]): string {
  const model: SectionPage = sectionPage({
    title: 'A1',
    a: { id: 7, title: 'Bench' },
    section: { id: 'A1', title: 'Policy', description: '', applies: true, profile: false },
    nav: { sections: [], answered: 0, applicable: 0 },
    questions,
    next: null,
    savedValues: '{}',
    maxEvidence: 1024,
    anyEditable: true,
    notice: null,
    alert: null,
  })
  return eta.render('pages/answer/section.eta', {
    ...model,
    principal: null,
    csrfToken: 'token',
    lang: 'en',
    m: messages('en'),
    fmt: formatters('en'),
  })
}

/** The markup of one question's fieldset. */
function fieldset(html: string, id: string): string {
  const start = html.indexOf(`id="q-${id}"`)
  return html.slice(start, html.indexOf('</fieldset>', start))
}

describe('section page inputs', () => {
  const html = render(QUESTION_TYPES.map((t) => question(t)))

  it('draws each question type with its own input, holding the saved answer', () => {
    for (const t of ['single', 'scale']) {
      const f = fieldset(html, `Q.${t}`)
      expect(f).toContain(`<input type="radio" name="a[Q.${t}]" value="b" checked>`)
      expect(f).toContain(`<input type="radio" name="a[Q.${t}]" value="a">`)
      expect(f).toMatch(/<input type="radio" name="a\[Q\.\w+\]" value=""> No answer/)
    }
    const multi = fieldset(html, 'Q.multi')
    expect(multi).toContain('<input type="checkbox" name="a[Q.multi]" value="a" checked>')
    expect(multi).toContain('<input type="checkbox" name="a[Q.multi]" value="b" checked>')
    expect(fieldset(html, 'Q.country')).toContain('<option value="NP" selected>Nepal</option>')
    expect(fieldset(html, 'Q.number')).toContain(
      '<input id="in-Q.number" type="number" inputmode="decimal" name="a[Q.number]" value="12" min="0" step="1" aria-describedby="err-Q.number"> workers</label>',
    )
    expect(fieldset(html, 'Q.date')).toContain('<input id="in-Q.date" type="date" name="a[Q.date]" value="2026-11-30">')
    expect(fieldset(html, 'Q.text')).toContain(
      '<textarea id="in-Q.text" name="a[Q.text]" rows="3">Written &lt;policy&gt;</textarea>',
    )
  })

  it('draws a routes table: the saved routes, then empty rows, each cell labelled with its route number', () => {
    const f = fieldset(html, 'Q.corridors')
    expect(f).toContain('<table class="routes" data-routes="Q.corridors">')
    // Two saved routes and six empty rows: eight in all.
    expect(f.match(/<th scope="row"/g)).toHaveLength(8)
    expect(f).toMatch(
      /<select name="a\[Q\.corridors\]\[0\]\[origin\]" data-k="origin" aria-label="Route 1: home country">\s*<option value="">–<\/option>\s*<option value="NP" selected>Nepal<\/option>/,
    )
    expect(f).toContain(
      '<input type="number" inputmode="numeric" min="1" step="1" name="a[Q.corridors][0][workers]" data-k="workers" value="450" aria-label="Route 1: number of workers">',
    )
    expect(f).toMatch(
      /name="a\[Q\.corridors\]\[1\]\[choice\]"[^>]*>\s*<option value="">–<\/option>\s*<option value="a" selected>First/,
    )
    expect(f).toContain('name="a[Q.corridors][7][workers]" data-k="workers" value=""')
    // No country of work unless the question asks for it.
    expect(f).not.toContain('[destination]')
    expect(f).toContain('Need more rows? Save, and more empty rows appear.')
  })

  it('disables every input of a locked question', () => {
    const locked = render(QUESTION_TYPES.map((t) => question(t, false)))
    for (const t of QUESTION_TYPES) {
      const f = fieldset(locked, `Q.${t}`)
      const inputs = f.match(/<(input|select|textarea) [^>]*name="a\[[^>]*>/g) ?? []
      expect(inputs.length, t).toBeGreaterThan(0)
      for (const i of inputs) expect(i, t).toContain(' disabled')
    }
  })
})
