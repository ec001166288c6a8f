import type { AnswerValue } from '../../questionnaire/condition.ts'
import { parseCorridor } from '../../questionnaire/corridors.ts'
import { COUNTRIES } from '../../questionnaire/countries.ts'
import type { CompiledQuestionnaire, QuestionEntry } from '../../questionnaire/model.ts'
import { preparedQuestionnaire, preparedRubric, sourceLabels } from '../memo.ts'
import type { Maturity } from '../result.schema.ts'
import type { InherentBand, MaturityBlock, Rubric } from '../rubric.schema.ts'
import { isEmpty, labelOf } from './answer.ts'
import type { Applicable } from './applicability.ts'
import { round1 } from './round.ts'
import type { QuestionPoints } from './types.ts'

/** What a result that has no maturity gets: nothing, the same frozen object every time (the engine spreads it). */
const NONE: { maturity?: Maturity } = Object.freeze({})

type Step = Maturity['steps'][number]
type Exposure = Maturity['exposure']
type Row = Exposure['rows'][number]

/**
 * A stage of the score (scoring.md §14): a brand's due-diligence maturity. A brand does not recruit or employ the
 * workers at risk, so a site's risk rating says little about it; what a compliance reader needs is how far each
 * step of its due diligence has come, and how exposed its sourcing is. Two parts:
 *
 * - per step of the rubric's `maturity.steps` (the six OECD steps), the severity-weighted credit of the scored
 *   questions citing that step, read from the question-points rows (so the evidence rule and "don't know" count
 *   exactly as in the control score), graded by `maturity.grades`;
 * - the sourcing exposure: each row of the brand's `corridors` profile question ("TH:35:garment_textile": country,
 *   share of spend in percent, sector) gets the inherent-risk tables' country points plus sector points, and the
 *   exposure is their mean weighted by share of spend.
 *
 * Only for the questionnaire the block names, and only under a rubric that has the block (2026.1 has none): the
 * result then has no `maturity` at all, so 2026.1 results stay byte-identical. Pure.
 */
export function brandMaturity(
  cq: CompiledQuestionnaire,
  r: Rubric,
  points: QuestionPoints,
  answers: ReadonlyMap<string, AnswerValue>,
  applicable: Applicable,
): { maturity?: Maturity } {
  const m = r.maturity
  if (!m || m.questionnaire !== cq.def.id) return NONE
  const steps = m.steps.map((s) => stepScore(cq, m, points, s))
  const exposure = sourcingExposure(cq, r, m, answers, applicable)
  return { maturity: { steps, exposure, explanation: explain(m, steps, exposure) } }
}

/** "OECD-DD step 1" cites "OECD-DD step 1" and "OECD-DD step 1 (policy commitment)", not "OECD-DD step 10". */
export function citesStep(label: string, source: string): boolean {
  if (!label.startsWith(source)) return false
  const next = label.charAt(source.length)
  return next === '' || !/[0-9A-Za-z]/.test(next)
}

function stepScore(
  cq: CompiledQuestionnaire,
  m: MaturityBlock,
  points: QuestionPoints,
  s: MaturityBlock['steps'][number],
): Step {
  let earned = 0
  let possible = 0
  const questions: string[] = []
  for (let i = 0; i < points.length; i++) {
    const p = points[i]
    // Not scored, not asked, not applicable or optional and unanswered: no weight on either side.
    if (!p || p.qs.possible <= 0) continue
    if (!sourceLabels(cq.entries[i] as QuestionEntry).some((l) => citesStep(l, s.source))) continue
    earned += p.qs.earned
    possible += p.qs.possible
    questions.push(p.qs.question)
  }
  if (possible === 0)
    return {
      step: s.step,
      title: s.title,
      score: null,
      grade: null,
      earned: 0,
      possible: 0,
      questions,
      basis: `no applicable question cites ${s.source}: not graded`,
    }
  const score = round1((earned / possible) * 100)
  // The grade follows the score as shown (rounded), so the two never disagree on a reader's screen.
  const grade = m.grades.find((g) => score >= g.min) ?? (m.grades[m.grades.length - 1] as MaturityBlock['grades'][0])
  return {
    step: s.step,
    title: s.title,
    score,
    grade: grade.grade,
    earned: round1(earned),
    possible: round1(possible),
    questions,
    basis: `${round1(earned)} earned of ${round1(possible)} possible (${questions.join(', ')}) = ${score}: ${grade.grade}, ${grade.label}`,
  }
}

function sourcingExposure(
  cq: CompiledQuestionnaire,
  r: Rubric,
  m: MaturityBlock,
  answers: ReadonlyMap<string, AnswerValue>,
  applicable: Applicable,
): Exposure {
  const e = preparedQuestionnaire(cq).profile.get('corridors')
  const value = e && applicable.question(e.question.id) ? answers.get(e.question.id) : undefined
  const list = !isEmpty(value) && Array.isArray(value) ? value : []
  const ri = r.inherent
  const countries = preparedRubric(r).countries
  const rows: Row[] = []
  for (const raw of list) {
    // Answers are checked when saved and by the score API; a row that still does not parse is left out.
    const c = parseCorridor(raw)
    if (!c || !e) continue
    const known = countries.get(c.origin)
    const countryPoints = known && known.points !== null ? known.points : ri.country.default_points
    const countryBasis =
      known && known.points !== null ? `${known.basis} (${ri.country.source})` : ri.country.default_basis
    const base = ri.sector.points[c.choice] ?? ri.sector.default_points
    const goods = ri.sector.listed_goods.sectors[c.choice]?.[c.origin]
    const sectorPoints = Math.min(ri.sector.max_points, base + (goods ? ri.sector.listed_goods_points : 0))
    const sectorBasis = goods
      ? `sector base ${base} + ${ri.sector.listed_goods_points}: ${goods.join(', ')} from this country listed for forced labour (${ri.sector.listed_goods.source}, ${ri.sector.listed_goods.year})`
      : `sector base ${base}`
    rows.push({
      country: c.origin,
      countryName: COUNTRIES[c.origin] ?? c.origin,
      share: c.workers,
      sector: c.choice,
      sectorLabel: labelOf(e, c.choice),
      countryPoints,
      countryBasis,
      sectorPoints,
      sectorBasis,
      points: countryPoints + sectorPoints,
    })
  }
  const shareTotal = rows.reduce((sum, x) => sum + x.share, 0)
  const question = e ? e.question.id : null
  if (rows.length === 0)
    return { question, score: null, band: m.exposure.unknown_band, shareTotal: 0, highShare: null, rows, warning: null }
  const weighted = rows.reduce((sum, x) => sum + x.share * x.points, 0)
  const score = round1(weighted / shareTotal)
  const high = rows.filter((x) => x.points >= m.exposure.bands.high).reduce((sum, x) => sum + x.share, 0)
  const band: InherentBand =
    score >= m.exposure.bands.high ? 'high' : score >= m.exposure.bands.medium ? 'medium' : 'low'
  return {
    question,
    score,
    band,
    shareTotal,
    highShare: round1((high / shareTotal) * 100),
    rows,
    warning:
      shareTotal > 100
        ? `The shares of spend in ${question} add up to ${shareTotal}%, more than 100%: the answer needs correcting. Until then each row is weighed by its share as given.`
        : null,
  }
}

function explain(m: MaturityBlock, steps: Step[], x: Exposure): string {
  const grades = m.grades.map((g) => (g.min > 0 ? `${g.grade} from ${g.min}` : `${g.grade} below that`)).join(', ')
  const graded = steps.map((s) => `step ${s.step} ${s.score === null ? 'not graded' : `${s.score} (${s.grade})`}`)
  const head =
    `Each due-diligence step is scored from the questions that cite it: the sum of severity weight × credit over ` +
    `the sum of severity weights, × 100; a question citing two steps counts in both. Grades: ${grades}. ` +
    `${graded.join('; ')}.`
  if (x.score === null)
    return `${head} Sourcing exposure: no sourcing country given${x.question ? ` in ${x.question}` : ''}, so it is unknown and treated as ${x.band} until answered.`
  const terms = x.rows.map((r) => `${r.share} × ${r.points}`).join(' + ')
  const cover =
    x.shareTotal < 100
      ? ` The rows cover ${x.shareTotal}% of spend; the rest is not known and not counted.`
      : x.shareTotal > 100
        ? ` ${x.warning}`
        : ''
  return (
    `${head} Sourcing exposure: each row's points are its country's points plus its sector's points (the ` +
    `inherent-risk tables), weighted by share of spend: (${terms}) / ${x.shareTotal} = ${x.score}, ${x.band} ` +
    `(medium from ${m.exposure.bands.medium}, high from ${m.exposure.bands.high}); ${x.highShare}% of the spend ` +
    `given is in rows of ${m.exposure.bands.high} points or more.${cover}`
  )
}
