import { z } from 'zod'
import { choicesOf } from './model.ts'
import type { QuestionnaireFile } from './questionnaire.schema.ts'

/**
 * A version map: how the questions of one questionnaire version become those of the next, so that a
 * reassessment can carry answers across and a reader can see what changed. One YAML file per step, in
 * questionnaires/version-maps/<id>-<from>-<to>.yaml. Every question of both versions is accounted for.
 *
 *   same       the question is unchanged (id, type and choices)
 *   reworded   the wording changed, the meaning and the choices did not: an answer carries over
 *   choices    the choices changed: `choices` maps each old choice id to a new one (or null: not carried)
 *   split      one old question became several (`into`); answers are not carried without a person
 *   merged     several old questions became one (`into`, named by each of them)
 *   moved      the question got a new id (`into`), nothing else changed
 *   removed    the old question is gone (`why`)
 *   new        a question of the new version with no ancestor (listed under `new`)
 */

const QuestionId = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/)

export const MapEntry = z.discriminatedUnion('change', [
  z.strictObject({ change: z.literal('same') }),
  z.strictObject({ change: z.literal('reworded'), note: z.string().optional() }),
  z.strictObject({
    change: z.literal('choices'),
    choices: z.record(z.string(), z.string().nullable()),
    note: z.string().optional(),
  }),
  z.strictObject({ change: z.literal('split'), into: z.array(QuestionId).min(2), note: z.string().optional() }),
  z.strictObject({ change: z.literal('merged'), into: QuestionId, note: z.string().optional() }),
  z.strictObject({ change: z.literal('moved'), into: QuestionId, note: z.string().optional() }),
  z.strictObject({ change: z.literal('removed'), why: z.string().min(1) }),
])
export type MapEntry = z.infer<typeof MapEntry>

export const VersionMap = z.strictObject({
  questionnaire: z.string(),
  from: z.string(),
  to: z.string(),
  /** Every question of the old version, by id. A bare string is shorthand for { change: <it> } (same, reworded). */
  questions: z.record(
    QuestionId,
    z.union([z.enum(['same', 'reworded']).transform((change) => ({ change }) as MapEntry), MapEntry]),
  ),
  /** Questions of the new version with no ancestor, with why they were added. */
  new: z.record(QuestionId, z.string().min(1)).default({}),
})
export type VersionMap = z.infer<typeof VersionMap>

/** Every problem of a map against the two versions it joins; empty when it accounts for every question. */
export function checkVersionMap(map: VersionMap, from: QuestionnaireFile, to: QuestionnaireFile): string[] {
  const problems: string[] = []
  const index = (q: QuestionnaireFile) => new Map(q.sections.flatMap((s) => s.questions.map((x) => [x.id, x] as const)))
  const old = index(from)
  const next = index(to)
  if (map.questionnaire !== from.id || map.questionnaire !== to.id)
    problems.push(`questionnaire: the map is for "${map.questionnaire}", the versions are ${from.id} and ${to.id}`)
  if (map.from !== from.version)
    problems.push(`from: the map starts at ${map.from}, the old version is ${from.version}`)
  if (map.to !== to.version) problems.push(`to: the map ends at ${map.to}, the new version is ${to.version}`)
  const reached = new Set<string>()
  for (const id of old.keys()) if (!(id in map.questions)) problems.push(`questions.${id}: not mapped`)
  for (const [id, entry] of Object.entries(map.questions)) {
    const before = old.get(id)
    if (!before) {
      problems.push(`questions.${id}: no such question in ${from.version}`)
      continue
    }
    const targets =
      entry.change === 'split'
        ? entry.into
        : entry.change === 'merged' || entry.change === 'moved'
          ? [entry.into]
          : entry.change === 'removed'
            ? []
            : [id]
    for (const t of targets) {
      if (!next.has(t)) problems.push(`questions.${id}: ${t} is not a question of ${to.version}`)
      reached.add(t)
    }
    const after = next.get(id)
    if (entry.change === 'same' && after && JSON.stringify(before) !== JSON.stringify(after))
      problems.push(`questions.${id}: marked "same" but it changed; use reworded, choices or another change`)
    if ((entry.change === 'same' || entry.change === 'reworded') && after) {
      const a = choicesOf(before).map((c) => c.id)
      const b = choicesOf(after).map((c) => c.id)
      if (before.type !== after.type || a.join() !== b.join())
        problems.push(`questions.${id}: its type or choices changed; use "choices" with a choice map`)
    }
    if (entry.change === 'choices' && after) {
      const oldChoices = new Set(choicesOf(before).map((c) => c.id))
      const newChoices = new Set(choicesOf(after).map((c) => c.id))
      for (const c of oldChoices)
        if (!(c in entry.choices)) problems.push(`questions.${id}.choices: old choice ${c} is not mapped`)
      for (const [c, to] of Object.entries(entry.choices)) {
        if (!oldChoices.has(c)) problems.push(`questions.${id}.choices.${c}: no such choice in ${from.version}`)
        if (to !== null && !newChoices.has(to))
          problems.push(`questions.${id}.choices.${c}: ${to} is not a choice in ${to === null ? '' : map.to}`)
      }
    }
  }
  for (const id of Object.keys(map.new)) {
    if (!next.has(id)) problems.push(`new.${id}: not a question of ${to.version}`)
    if (old.has(id) && id in map.questions) problems.push(`new.${id}: also mapped from ${from.version}`)
    reached.add(id)
  }
  for (const id of next.keys())
    if (!reached.has(id)) problems.push(`${id} (${to.version}): neither mapped nor listed as new`)
  return problems
}
