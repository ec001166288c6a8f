import { join } from 'node:path'
import fc from 'fast-check'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../../src/paths.ts'
import type { AnswerValue } from '../../src/questionnaire/condition.ts'
import { loadArchivedQuestionnaires, loadQuestionnaireDir } from '../../src/questionnaire/loader.ts'
import { type CompiledQuestionnaire, compileQuestionnaire, type QuestionEntry } from '../../src/questionnaire/model.ts'
import { score } from '../../src/scoring/engine.ts'
import { hashRubric, loadRubricFile } from '../../src/scoring/rubric.loader.ts'
import type { Rubric } from '../../src/scoring/rubric.schema.ts'

const loaded = loadQuestionnaireDir(DEFAULT_QUESTIONNAIRES_DIR)
const archived = loadArchivedQuestionnaires(DEFAULT_QUESTIONNAIRES_DIR)
export const rubric: Rubric = loadRubricFile(join(DEFAULT_QUESTIONNAIRES_DIR, 'rubrics/default.yaml'))
export const rubricHash = hashRubric(rubric)
/** The 2026.1 rubric, kept in rubrics/archive: old snapshots and the 2026.1 scenario tests use it. */
export const RUBRIC_2026_1: Rubric = loadRubricFile(
  join(DEFAULT_QUESTIONNAIRES_DIR, 'rubrics/archive/default-2026.1.yaml'),
  join(DEFAULT_QUESTIONNAIRES_DIR, 'rubrics'),
)
export const rubric2026_1 = RUBRIC_2026_1

const compiledCache = new Map<string, { cq: CompiledQuestionnaire; hash: string }>()

/** A shipped questionnaire: the current one, or an archived version ("2026.1") where the current has moved on. */
export function compiled(id: string, version?: string): { cq: CompiledQuestionnaire; hash: string } {
  const key = `${id}@${version ?? ''}`
  const hit = compiledCache.get(key)
  if (hit) return hit
  const q =
    version === undefined
      ? loaded.find((x) => x.def.id === id)
      : (archived.find((x) => x.def.id === id && x.def.version === version) ??
        loaded.find((x) => x.def.id === id && x.def.version === version))
  if (!q) throw new Error(`no questionnaire ${id}${version ? ` ${version}` : ''}`)
  const out = { cq: compileQuestionnaire(q.def), hash: q.hash }
  compiledCache.set(key, out)
  return out
}

export type Answers = Record<string, AnswerValue>

export function run(
  id: string,
  answers: Answers,
  opts: {
    evidence?: string[]
    verified?: Record<string, string>
    rubric?: Rubric
    suspected?: { reason: string }[]
    accepted?: string[]
    ruleDecisions?: Record<string, 'cleared' | 'confirmed'>
    /** "2026.1": the archived questionnaire and, unless another is given, the 2026.1 rubric. */
    version?: string
  } = {},
) {
  const { cq, hash } = compiled(id, opts.version)
  const r = opts.rubric ?? (opts.version === '2026.1' ? RUBRIC_2026_1 : rubric)
  return score({
    questionnaire: cq,
    questionnaireHash: hash,
    rubric: r,
    rubricHash: r === rubric ? rubricHash : hashRubric(r),
    answers: new Map(Object.entries(answers)),
    evidence: new Set(opts.evidence ?? []),
    verified: new Map(Object.entries(opts.verified ?? {})),
    suspected: opts.suspected,
    accepted: new Set(opts.accepted ?? []),
    ruleDecisions: new Map(Object.entries(opts.ruleDecisions ?? {})),
  })
}

/** A plausible employer profile: Thai seafood site, many migrants, origin agencies, housing. */
export const PROFILE: Answers = {
  'A0.1': 'TH',
  'A0.2': 'seafood_fishing',
  'A0.3': 400,
  'A0.3b': 240,
  'A0.3c': 0,
  'A0.3e': 0,
  'A0.4': ['MM:240:origin_agency'],
  'A0.5': ['origin_agency'],
  'A0.6': 2,
  'A0.7': 'yes',
  'A0.8': 'yes',
  'A0.8b': 180,
  'A0.9': 'no',
}

/** The best non-red-flag answer of every scored question: full credit with evidence given. */
export function bestAnswers(cq: CompiledQuestionnaire, base: Answers = PROFILE): Answers {
  const out: Answers = { ...base }
  for (const e of cq.entries) {
    if (!e.scored) continue
    const best = bestChoiceIds(e)
    if (best.length > 0) out[e.question.id] = e.question.type === 'multi' ? best : (best[0] as string)
  }
  return out
}

function bestChoiceIds(e: QuestionEntry): string[] {
  if (e.question.type === 'scale') return ['yes']
  const usable = e.choices.filter((c) => !c.red_flag && !c.dont_know && !c.not_applicable && !c.exclusive)
  if (e.question.type === 'multi') return usable.filter((c) => (c.credit ?? 0) > 0).map((c) => c.id)
  const top = usable.reduce<(typeof usable)[number] | undefined>(
    (a, c) => (a === undefined || (c.credit ?? 0) > (a.credit ?? 0) ? c : a),
    undefined,
  )
  return top ? [top.id] : []
}

/** Every valid answer a question can take (for single and scale), or a few for the others. */
export function answerOptions(e: QuestionEntry): (AnswerValue | undefined)[] {
  const q = e.question
  switch (q.type) {
    case 'single':
    case 'scale':
      return [undefined, ...e.choices.map((c) => c.id)]
    case 'multi': {
      const plain = e.choices.filter((c) => !c.exclusive && !c.dont_know).map((c) => c.id)
      const lone = e.choices.filter((c) => c.exclusive || c.dont_know).map((c) => [c.id])
      return [undefined, ...lone, ...plain.map((c) => [c]), plain, plain.slice(0, Math.ceil(plain.length / 2))]
    }
    case 'number': {
      const min = q.min ?? 0
      return [undefined, min, min + 5, min + 250]
    }
    case 'country':
      return ['TH', 'MY', 'AE', 'DE', 'KP', 'TV', undefined]
    case 'date':
      return [undefined, '2026-01-15']
    case 'text':
      return [undefined, 'Some notes']
    case 'corridors': {
      const [a, b] = e.choices.map((c) => c.id)
      const d = q.corridor_destination ? '-MY' : ''
      return [undefined, [`NP${d}:450:${a}`], [`NP${d}:450:${a}`, `BD${d}:120:${b ?? a}`], [`KH${d}:30:${b ?? a}`]]
    }
  }
}

/** Random answer sets over every question of a questionnaire (conditions decide what counts). */
export function answersArb(cq: CompiledQuestionnaire): fc.Arbitrary<Answers> {
  const fields: Record<string, fc.Arbitrary<AnswerValue | undefined>> = {}
  for (const e of cq.entries) fields[e.question.id] = fc.constantFrom(...answerOptions(e))
  return fc.record(fields).map((r) => {
    const out: Answers = {}
    for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = v
    // Keep the workforce numbers coherent: migrants never exceed the total.
    const total = out['A0.3']
    const migrants = out['A0.3b']
    if (typeof total === 'number' && typeof migrants === 'number' && migrants > total) out['A0.3b'] = total
    return out
  })
}

export const RATING_ORDER = ['low', 'medium', 'high', 'critical'] as const
export const rank = (r: string): number => RATING_ORDER.indexOf(r as (typeof RATING_ORDER)[number])
