import type { CompiledQuestionnaire } from '../../questionnaire/model.ts'
import { t } from '../../questionnaire/text.ts'
import { preparedQuestionnaire } from '../memo.ts'
import type { ScoreResult, SectionScore } from '../result.schema.ts'
import type { ControlBand, Rubric } from '../rubric.schema.ts'
import type { Applicable } from './applicability.ts'
import { round1 } from './round.ts'
import type { QuestionPoints, Tally } from './types.ts'

export type Control = { control: ScoreResult['control']; tally: Tally }

/**
 * A stage of the score (scoring.md §3.6–3.8): the section scores, their weighted mean (the overall control score)
 * and its band, with the counts of applicable, "don't know" and unverified questions on the way.
 */
export function controlScore(
  cq: CompiledQuestionnaire,
  r: Rubric,
  applicable: Applicable,
  points: QuestionPoints,
): Control {
  const sectionWeights = r.section_weights[cq.def.id] ?? {}
  const sections: SectionScore[] = cq.def.sections
    .filter((s) => !s.profile)
    .map((s) => ({
      id: s.id,
      title: t(s.title),
      applicable: applicable.section(s.id),
      score: null,
      weight: sectionWeights[s.id] ?? r.default_section_weight,
      earned: 0,
      possible: 0,
      counted: 0,
      dontKnow: 0,
      unverified: 0,
      questions: [],
    }))
  const slots = preparedQuestionnaire(cq).sectionSlots
  const tally: Tally = { counted: 0, dontKnow: 0, unverified: 0 }
  for (let i = 0; i < points.length; i++) {
    const s = points[i]
    if (!s) continue
    const section = sections[slots[i]!]!
    section.questions.push(s.qs)
    section.earned += s.qs.earned
    section.possible += s.qs.possible
    if (s.qs.possible > 0) {
      section.counted++
      tally.counted++
    }
    if (s.dontKnow) {
      section.dontKnow++
      tally.dontKnow++
    }
    if (s.qs.unverified) {
      section.unverified++
      tally.unverified++
    }
  }

  let wSum = 0
  let wScore = 0
  const parts: string[] = []
  for (const s of sections) {
    s.score = s.possible > 0 ? round1((s.earned / s.possible) * 100) : null
    if (s.score !== null && s.weight > 0) {
      wSum += s.weight
      wScore += s.weight * s.score
      parts.push(`${s.id} ${s.score} × ${s.weight}`)
    }
  }
  const overall = wSum > 0 ? round1(wScore / wSum) : null
  const explanation =
    overall === null
      ? 'No scored question applies, so there is no control score; the rating treats it as very weak.'
      : `Weighted mean of section scores: (${parts.join(' + ')}) / ${wSum} = ${overall}. Each section score is the sum of severity weight × credit over the sum of severity weights of its applicable questions, × 100.`
  return { control: { overall, band: controlBand(r, overall), sections, explanation }, tally }
}

function controlBand(r: Rubric, score: number | null): ControlBand {
  if (score === null) return 'very_weak'
  if (score >= r.control_bands.strong) return 'strong'
  if (score >= r.control_bands.adequate) return 'adequate'
  if (score >= r.control_bands.weak) return 'weak'
  return 'very_weak'
}
