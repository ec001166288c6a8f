import type { AnswerValue } from '../../questionnaire/condition.ts'
import { COUNTRIES } from '../../questionnaire/countries.ts'
import type { CompiledQuestionnaire, QuestionEntry } from '../../questionnaire/model.ts'
import { type PreparedRubric, preparedQuestionnaire, preparedRubric } from '../memo.ts'
import type { InherentFactor, ScoreResult } from '../result.schema.ts'
import type { InherentBand, Rubric } from '../rubric.schema.ts'
import { isEmpty, labelOf } from './answer.ts'
import type { Applicable } from './applicability.ts'

/**
 * A stage of the score (scoring.md §4): inherent risk, the setting whatever the practices. Points come from the
 * unscored profile questions (and the "don't know" share), are added up and capped.
 */
export function inherentRisk(
  cq: CompiledQuestionnaire,
  r: Rubric,
  answers: ReadonlyMap<string, AnswerValue>,
  applicable: Applicable,
  dkShare: number,
): ScoreResult['inherent'] {
  const factors = inherentFactors(cq, r, preparedRubric(r), answers, applicable.question, dkShare)
  const uncapped = factors.reduce((s, f) => s + f.points, 0)
  const score = Math.min(r.inherent.cap, uncapped)
  return { score, band: inherentBand(r, score), uncapped, factors }
}

function inherentBand(r: Rubric, score: number): InherentBand {
  if (score >= r.inherent.bands.high) return 'high'
  if (score >= r.inherent.bands.medium) return 'medium'
  return 'low'
}

function inherentFactors(
  cq: CompiledQuestionnaire,
  r: Rubric,
  p: PreparedRubric,
  answers: ReadonlyMap<string, AnswerValue>,
  applicable: (qid: string) => boolean,
  dkShare: number,
): InherentFactor[] {
  const index = preparedQuestionnaire(cq).profile
  const get = (key: string): { e: QuestionEntry | undefined; v: AnswerValue | undefined } => {
    const e = index.get(key)
    const v = e && applicable(e.question.id) ? answers.get(e.question.id) : undefined
    return { e, v: isEmpty(v) ? undefined : v }
  }
  const ri = r.inherent
  const out: InherentFactor[] = []

  const country = get('country')
  let countryCode: string | undefined
  if (country.e) {
    if (typeof country.v === 'string') {
      countryCode = country.v
      const row = p.countries.get(country.v)
      const name = COUNTRIES[country.v] ?? country.v
      out.push(
        row && row.points !== null
          ? {
              factor: 'country',
              question: country.e.question.id,
              input: name,
              points: row.points,
              basis: `${row.basis} (${ri.country.source})`,
            }
          : {
              factor: 'country',
              question: country.e.question.id,
              input: name,
              points: ri.country.default_points,
              basis: ri.country.default_basis,
            },
      )
    } else {
      out.push({
        factor: 'country',
        question: country.e.question.id,
        input: 'not answered',
        points: ri.country_unanswered_points,
        basis: 'country unknown: scored as high risk until answered',
      })
    }
  }

  const sector = get('sector')
  if (sector.e) {
    const chosen = sector.v === undefined ? [] : Array.isArray(sector.v) ? sector.v : [String(sector.v)]
    let best = { points: ri.sector.default_points, input: 'not answered', basis: 'sector unknown: rubric default' }
    for (const s of chosen) {
      const base = ri.sector.points[s] ?? ri.sector.default_points
      const goods = countryCode ? ri.sector.listed_goods.sectors[s]?.[countryCode] : undefined
      const pts = Math.min(ri.sector.max_points, base + (goods ? ri.sector.listed_goods_points : 0))
      const label = labelOf(sector.e, s)
      const basis = goods
        ? `sector base ${base} + ${ri.sector.listed_goods_points}: ${goods.join(', ')} from this country listed for forced labour (${ri.sector.listed_goods.source}, ${ri.sector.listed_goods.year})`
        : `sector base ${base}`
      if (chosen.length === 1 || pts > best.points || best.input === 'not answered')
        best = { points: pts, input: label, basis }
    }
    out.push({
      factor: 'sector',
      question: sector.e.question.id,
      input: best.input,
      points: best.points,
      basis: best.basis,
    })
  }

  const total = get('workers_total')
  const migrants = get('migrant_workers')
  if (total.e && migrants.e) {
    if (typeof total.v === 'number' && typeof migrants.v === 'number' && total.v > 0) {
      const share = Math.min(1, migrants.v / total.v)
      const band =
        ri.migrant_share.find((b) => b.below === undefined || share < b.below) ??
        ri.migrant_share[ri.migrant_share.length - 1]
      out.push({
        factor: 'migrant_share',
        question: migrants.e.question.id,
        input: `${Math.round(share * 100)}%`,
        points: band?.points ?? 0,
        basis: band?.label ?? '',
      })
    } else {
      out.push({
        factor: 'migrant_share',
        question: migrants.e.question.id,
        input: 'unknown',
        points: ri.migrant_share_unknown_points,
        basis: 'workforce numbers missing: rubric default',
      })
    }
  }

  const channels = get('recruitment_channels')
  if (channels.e) {
    const chosen = channels.v === undefined ? [] : Array.isArray(channels.v) ? channels.v : [String(channels.v)]
    if (chosen.length === 0) {
      out.push({
        factor: 'recruitment_channels',
        question: channels.e.question.id,
        input: 'not answered',
        points: ri.recruitment_channels_unknown_points,
        basis: 'recruitment channels unknown: rubric default',
      })
    } else {
      let top = chosen[0] as string
      for (const c of chosen) if ((ri.recruitment_channels[c] ?? 0) > (ri.recruitment_channels[top] ?? 0)) top = c
      out.push({
        factor: 'recruitment_channels',
        question: channels.e.question.id,
        input: labelOf(channels.e, chosen),
        points: ri.recruitment_channels[top] ?? 0,
        basis: `riskiest channel used: ${labelOf(channels.e, top)}`,
      })
    }
  }

  for (const key of ['tied_permits', 'employer_accommodation'] as const) {
    const f = get(key)
    if (!f.e) continue
    const v = typeof f.v === 'string' ? f.v : undefined
    const table = ri[key]
    const pts = v === undefined ? Math.max(0, ...Object.values(table)) : (table[v] ?? 0)
    out.push({
      factor: key,
      question: f.e.question.id,
      input: v === undefined ? 'not answered' : labelOf(f.e, v),
      points: pts,
      basis: v === undefined ? 'not answered: counted as the riskier answer' : `rubric points for this answer`,
    })
  }

  if (dkShare > ri.dont_know.above_share) {
    out.push({
      factor: 'dont_know',
      question: null,
      input: `${Math.round(dkShare * 100)}% "don't know"`,
      points: ri.dont_know.points,
      basis: `more than ${Math.round(ri.dont_know.above_share * 100)}% of applicable questions unanswered or "don't know"`,
    })
  }
  return out
}
