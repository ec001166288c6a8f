import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../src/paths.ts'
import { formatFinding, loadQuestionnaireFile } from '../../src/questionnaire/loader.ts'
import { applicability, compileQuestionnaire } from '../../src/questionnaire/model.ts'
import { spawnTs } from '../helpers/process.ts'

const FIXTURES = join(PROJECT_ROOT, 'tests/fixtures/questionnaires')
const expected = JSON.parse(readFileSync(join(FIXTURES, 'broken/expected.json'), 'utf8')) as Record<string, string>

describe('questionnaire loader', () => {
  it('loads a valid file and reports missing translations as warnings', () => {
    const r = loadQuestionnaireFile(join(FIXTURES, 'minimal.yaml'), { root: FIXTURES })
    if (!r.ok) throw new Error(r.errors.map(formatFinding).join('\n'))
    expect(r.value.def.id).toBe('mini')
    expect(r.value.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(r.value.warnings.map(formatFinding)).toEqual([
      'minimal.yaml:4: title: no th translation',
      'minimal.yaml:5: description: no th translation',
    ])
  })

  it.each(Object.entries(expected))('refuses %s, naming file, line, path and problem', (name, message) => {
    const r = loadQuestionnaireFile(join(FIXTURES, 'broken', name), { root: FIXTURES })
    expect(r.ok).toBe(false)
    if (r.ok) return
    const lines = r.errors.map(formatFinding)
    expect(
      lines.some((l) => l.startsWith(`broken/${name}:`) && l.includes(message)),
      lines.join('\n'),
    ).toBe(true)
    expect(r.errors.every((e) => typeof e.line === 'number' && e.line > 1)).toBe(true)
  })

  it('skips sections and questions whose condition is false, and what depends on them', () => {
    const r = loadQuestionnaireFile(join(FIXTURES, 'minimal.yaml'))
    if (!r.ok) throw new Error('fixture should load')
    const cq = compileQuestionnaire(r.value.def)
    const none = applicability(
      cq,
      new Map([
        ['P.1', 'no'],
        ['S.1', 'yes'],
      ]),
    )
    expect(none.sections.get('S')).toBe(false)
    // S.2 depends on S.1, which is hidden with its section even though an answer is stored
    expect(none.questions.get('S.2')).toBe(false)
    const all = applicability(
      cq,
      new Map([
        ['P.1', 'yes'],
        ['S.1', 'yes'],
      ]),
    )
    expect(all.questions.get('S.2')).toBe(true)
    const partial = applicability(
      cq,
      new Map([
        ['P.1', 'yes'],
        ['S.1', 'no'],
      ]),
    )
    expect(partial.questions.get('S.2')).toBe(false)
  })
})

describe('fairhire questionnaires lint', () => {
  it('passes on a valid file and fails with file and path on a broken one', async () => {
    const ok = spawnTs('src/cli.ts', ['questionnaires', 'lint', 'tests/fixtures/questionnaires/minimal.yaml'], {})
    expect(await ok.exit).toBe(0)
    const bad = spawnTs(
      'src/cli.ts',
      ['questionnaires', 'lint', 'tests/fixtures/questionnaires/broken/bad-credit.yaml'],
      {},
    )
    expect(await bad.exit).toBe(1)
    expect(bad.stdout()).toMatch(
      /tests\/fixtures\/questionnaires\/broken\/bad-credit\.yaml:\d+: sections\[1\]\.questions\[1\]\.choices\[1\]\.credit: credit must be between 0 and 1/,
    )
  })
})
