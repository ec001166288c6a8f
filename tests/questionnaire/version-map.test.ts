import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../../src/paths.ts'
import { formatFinding, loadQuestionnaireFile } from '../../src/questionnaire/loader.ts'
import { choicesOf } from '../../src/questionnaire/model.ts'
import type { QuestionnaireFile } from '../../src/questionnaire/questionnaire.schema.ts'
import { checkVersionMap, VersionMap } from '../../src/questionnaire/version-map.ts'

/**
 * Every version map in questionnaires/version-maps/ (<id>-<from>-<to>.yaml) accounts for every question of the two
 * versions it joins: the old one from questionnaires/archive/<id>-<from>.yaml, the new one from the current file (or
 * the archive, once a later version has replaced it).
 */

const MAPS_DIR = join(DEFAULT_QUESTIONNAIRES_DIR, 'version-maps')
const ARCHIVE_DIR = join(DEFAULT_QUESTIONNAIRES_DIR, 'archive')
const NAME = /^([a-z][a-z0-9-]*?)-(\d{4}\.\d+(?:\.\d+)?)-(\d{4}\.\d+(?:\.\d+)?)\.yaml$/

const mapFiles = existsSync(MAPS_DIR) ? readdirSync(MAPS_DIR).filter((f) => f.endsWith('.yaml')) : []

const loaded = new Map<string, QuestionnaireFile>()
function load(path: string): QuestionnaireFile {
  const known = loaded.get(path)
  if (known) return known
  const r = loadQuestionnaireFile(path, { contentRules: true })
  if (!r.ok) throw new Error(r.errors.map(formatFinding).join('\n'))
  loaded.set(path, r.value.def)
  return r.value.def
}

/** The questionnaire `id` at `version`: the current file if it is that version, else its archived copy. */
function version(id: string, v: string): QuestionnaireFile {
  const current = join(DEFAULT_QUESTIONNAIRES_DIR, `${id}.yaml`)
  if (existsSync(current)) {
    const def = load(current)
    if (def.version === v) return def
  }
  const archived = join(ARCHIVE_DIR, `${id}-${v}.yaml`)
  if (!existsSync(archived)) throw new Error(`${id} ${v}: neither the current file nor ${archived}`)
  return load(archived)
}

const choicesIn = (q: QuestionnaireFile, question: string) => {
  const x = q.sections.flatMap((s) => s.questions).find((y) => y.id === question)
  return x ? choicesOf(x) : []
}

describe('questionnaire version maps', () => {
  it('the employer map from 2026.1 to 2026.2 is present', () => {
    expect(mapFiles).toContain('employer-2026.1-2026.2.yaml')
  })

  describe.each(mapFiles)('%s', (file) => {
    const m = NAME.exec(file)
    const raw = parse(readFileSync(join(MAPS_DIR, file), 'utf8'))

    it('is named <questionnaire>-<from>-<to>.yaml after what it holds', () => {
      expect(m, 'file name').not.toBeNull()
      expect(raw).toMatchObject({ questionnaire: m?.[1], from: m?.[2], to: m?.[3] })
    })

    it('parses, and accounts for every question of both versions (checkVersionMap)', () => {
      const map = VersionMap.parse(raw)
      const from = version(map.questionnaire, map.from)
      const to = version(map.questionnaire, map.to)
      expect(checkVersionMap(map, from, to)).toEqual([])
    })

    it('never carries an answer into a stronger claim than was made', () => {
      // An old answer that needed no evidence must not become one that claims a check (needs evidence): the
      // respondent never said they had checked.
      const map = VersionMap.parse(raw)
      const from = version(map.questionnaire, map.from)
      const to = version(map.questionnaire, map.to)
      const stronger: string[] = []
      for (const [question, entry] of Object.entries(map.questions)) {
        const pairs: [string, string][] =
          entry.change === 'choices'
            ? Object.entries(entry.choices).filter((p): p is [string, string] => p[1] !== null)
            : entry.change === 'same' || entry.change === 'reworded'
              ? choicesIn(from, question).map((c): [string, string] => [c.id, c.id])
              : []
        for (const [a, b] of pairs) {
          const before = choicesIn(from, question).find((c) => c.id === a)
          const after = choicesIn(to, question).find((c) => c.id === b)
          if (after?.needs_evidence && !before?.needs_evidence) stronger.push(`${question}: ${a} → ${b}`)
        }
      }
      expect(stronger).toEqual([])
    })
  })

  it('reports a question left out, a choice not mapped and a target that does not exist', () => {
    const map = VersionMap.parse(parse(readFileSync(join(MAPS_DIR, 'employer-2026.1-2026.2.yaml'), 'utf8')))
    const from = version('employer', '2026.1')
    const to = version('employer', '2026.2')
    const { 'A1.1': _, ...withoutA11 } = map.questions
    const broken: VersionMap = {
      ...map,
      questions: {
        ...withoutA11,
        'A3.3': { change: 'choices', choices: { yes: 'yes', dont_know: 'dont_know' } },
        'A5.3': { change: 'moved', into: 'A5.9' },
      },
    }
    expect(checkVersionMap(broken, from, to)).toEqual(
      expect.arrayContaining([
        'questions.A1.1: not mapped',
        'questions.A3.3.choices: old choice no is not mapped',
        'questions.A5.3: A5.9 is not a question of 2026.2',
      ]),
    )
  })
})
