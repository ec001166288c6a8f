import type { AnswerValue } from '../../questionnaire/condition.ts'
import { type Corridor, parseCorridor } from '../../questionnaire/corridors.ts'
import { COUNTRIES } from '../../questionnaire/countries.ts'
import type { CompiledQuestionnaire, QuestionEntry } from '../../questionnaire/model.ts'
import type { ProfileKey } from '../../questionnaire/vocabulary.ts'
import { type PreparedRubric, preparedQuestionnaire, preparedRubric } from '../memo.ts'
import type { InherentFactor, ScoreResult } from '../result.schema.ts'
import type { InherentBand, InherentFactorKey, Rubric } from '../rubric.schema.ts'
import { isEmpty, labelOf } from './answer.ts'
import type { Applicable } from './applicability.ts'
import { round1 } from './round.ts'

/**
 * A stage of the score (scoring.md §4): inherent risk, the setting whatever the practices. Points come from the
 * unscored profile questions (and the "don't know" share) and are added up and capped.
 *
 * Rubric 2026.2 adds, each only when the rubric has its block (a 2026.1 rubric scores exactly as before):
 * capped groups of factors that move together (`groups`), internal migrants in the migrant share
 * (`migrant_share_counts`), and the workforce's migration routes scored from public data (`corridors`); a
 * recruiter's country and sector then come from where it recruits and places, not from its head office.
 */
export function inherentRisk(
  cq: CompiledQuestionnaire,
  r: Rubric,
  answers: ReadonlyMap<string, AnswerValue>,
  applicable: Applicable,
  dkShare: number,
): ScoreResult['inherent'] {
  const ri = r.inherent
  const p = preparedRubric(r)
  const factors = inherentFactors(cq, r, p, answers, applicable.question, dkShare)
  if (!ri.groups && !ri.corridors && !ri.migrant_share_counts) {
    // 2026.1: every factor adds up to the one cap.
    const uncapped = factors.reduce((s, f) => s + f.points, 0)
    const score = Math.min(ri.cap, uncapped)
    return { score, band: inherentBand(r, score), uncapped, factors }
  }

  const groups: NonNullable<ScoreResult['inherent']['groups']> = []
  for (const g of ri.groups ?? []) {
    const members = factors.filter((f) => p.factorGroups.get(f.factor) === g)
    if (members.length === 0) continue
    for (const f of members) f.group = g.id
    const raw = round1(members.reduce((s, f) => s + f.points, 0))
    const points = Math.min(g.cap, raw)
    groups.push({
      id: g.id,
      label: g.label,
      factors: [...g.factors],
      raw,
      cap: g.cap,
      points,
      removed: round1(raw - points),
    })
  }
  const ungrouped = factors.filter((f) => f.group === undefined).reduce((s, f) => s + f.points, 0)
  const uncapped = round1(ungrouped + groups.reduce((s, g) => s + g.points, 0))
  const score = Math.min(ri.cap, uncapped)
  const band = inherentBand(r, score)
  return {
    score,
    band,
    uncapped,
    factors,
    ...(ri.groups ? { groups } : {}),
    explanation: explain(r, factors, groups, uncapped, score, band),
  }
}

function inherentBand(r: Rubric, score: number): InherentBand {
  if (score >= r.inherent.bands.high) return 'high'
  if (score >= r.inherent.bands.medium) return 'medium'
  return 'low'
}

const FACTOR_WORDS: Record<InherentFactorKey, string> = {
  country: 'country',
  sector: 'sector',
  migrant_share: 'migrant share',
  recruitment_channels: 'recruitment channels',
  tied_permits: 'tied permits',
  employer_accommodation: 'employer housing',
  corridors: 'migration routes',
  dont_know: '"don\'t know" answers',
}

/** "country 2 + sector 3 + migration exposure 4 (6, capped at 4) + migration routes 2 = 11, capped at 10: high." */
function explain(
  r: Rubric,
  factors: InherentFactor[],
  groups: NonNullable<ScoreResult['inherent']['groups']>,
  uncapped: number,
  score: number,
  band: InherentBand,
): string {
  const terms: string[] = []
  const shown = new Set<string>()
  for (const f of factors) {
    if (f.group === undefined) {
      terms.push(`${FACTOR_WORDS[f.factor]} ${f.points}`)
      continue
    }
    if (shown.has(f.group)) continue
    shown.add(f.group)
    const g = groups.find((x) => x.id === f.group)
    if (g) terms.push(`${g.label.toLowerCase()} ${g.points}${g.removed > 0 ? ` (${g.raw}, capped at ${g.cap})` : ''}`)
  }
  const sum = terms.length > 0 ? `${terms.join(' + ')} = ${uncapped}` : '0'
  const capped = uncapped > score ? `, capped at ${r.inherent.cap}` : ''
  const priority = r.inherent.priority?.[band]
  return `${sum}${capped}: ${band}.${priority ? ` ${priority}` : ''}`
}

type Got = { e: QuestionEntry | undefined; v: AnswerValue | undefined; applies: boolean }

const countryName = (code: string): string => COUNTRIES[code] ?? code

/** The first band a value is below (the last band has no limit). */
function bandOf<B extends { below?: number; points: number; label: string }>(bands: readonly B[], x: number): B {
  return (bands.find((b) => b.below === undefined || x < b.below) ?? bands[bands.length - 1]) as B
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
  const get = (key: ProfileKey): Got => {
    const e = index.get(key)
    const applies = e !== undefined && applicable(e.question.id)
    const v = applies ? answers.get((e as QuestionEntry).question.id) : undefined
    return { e, v: isEmpty(v) ? undefined : v, applies }
  }
  const ri = r.inherent
  const out: InherentFactor[] = []

  // Rubric 2026.2: the workforce's routes. A brand's `corridors` question describes its sourcing, not migration
  // routes, and is read by its own stage.
  const respondent = cq.def.respondent
  const routesQ = ri.corridors && respondent !== 'brand' ? get('corridors') : undefined
  const routes = routesQ && Array.isArray(routesQ.v) ? parseRoutes(routesQ.v) : []
  const recruiterRoutes =
    respondent === 'recruiter' && routesQ?.e?.question.corridor_destination === true && routes.length > 0

  const country = get('country')
  let countryCode: string | undefined
  if (recruiterRoutes && routesQ?.e) {
    out.push(routeCountries(r, p, routesQ.e, routes, country))
  } else if (country.e) {
    if (typeof country.v === 'string') {
      countryCode = country.v
      const row = p.countries.get(country.v)
      const name = countryName(country.v)
      const routesMissing =
        respondent === 'recruiter' && routesQ?.e && routesQ.applies
          ? '; no routes given, so the head office counts until they are'
          : ''
      out.push(
        row && row.points !== null
          ? {
              factor: 'country',
              question: country.e.question.id,
              input: name,
              points: row.points,
              basis: `${row.basis} (${ri.country.source})${routesMissing}`,
            }
          : {
              factor: 'country',
              question: country.e.question.id,
              input: name,
              points: ri.country.default_points,
              basis: `${ri.country.default_basis}${routesMissing}`,
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

  // A recruiter's goods are made where it places workers: the listed-goods point is looked up for those countries.
  const goodsCountries = recruiterRoutes
    ? [...new Set(routes.map((c) => c.destination).filter((d): d is string => d !== null))]
    : countryCode
      ? [countryCode]
      : []
  const sector = index.has('sector') ? get('sector') : get('sectors_placed')
  if (sector.e) {
    const chosen = sector.v === undefined ? [] : Array.isArray(sector.v) ? sector.v : [String(sector.v)]
    let best = { points: ri.sector.default_points, input: 'not answered', basis: 'sector unknown: rubric default' }
    for (const s of chosen) {
      const base = ri.sector.points[s] ?? ri.sector.default_points
      const listedIn = goodsCountries.find((c) => ri.sector.listed_goods.sectors[s]?.[c])
      const goods = listedIn ? ri.sector.listed_goods.sectors[s]?.[listedIn] : undefined
      const pts = Math.min(ri.sector.max_points, base + (goods ? ri.sector.listed_goods_points : 0))
      const label = labelOf(sector.e, s)
      const from = recruiterRoutes && listedIn ? countryName(listedIn) : 'this country'
      const basis = goods
        ? `sector base ${base} + ${ri.sector.listed_goods_points}: ${goods.join(', ')} from ${from} listed for forced labour (${ri.sector.listed_goods.source}, ${ri.sector.listed_goods.year})`
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
  let noMigrants = false
  if (total.e && migrants.e) {
    if (typeof total.v === 'number' && typeof migrants.v === 'number' && total.v > 0) {
      const counts = ri.migrant_share_counts
      let n = migrants.v
      const parts: string[] = []
      if (counts) {
        // 2026.2: the basis says which workers were counted.
        n = 0
        if (counts.includes('migrant_workers')) {
          n += migrants.v
          parts.push(`${migrants.v} cross-border`)
        }
        if (counts.includes('internal_migrants')) {
          const internal = get('internal_migrants')
          if (typeof internal.v === 'number') {
            n += internal.v
            parts.push(`${internal.v} internal`)
          } else if (internal.e) parts.push('internal migrants not answered, so not counted')
        }
      }
      noMigrants = n === 0
      const share = Math.min(1, n / total.v)
      const band =
        ri.migrant_share.find((b) => b.below === undefined || share < b.below) ??
        ri.migrant_share[ri.migrant_share.length - 1]
      out.push({
        factor: 'migrant_share',
        question: migrants.e.question.id,
        input: `${Math.round(share * 100)}%`,
        points: band?.points ?? 0,
        basis: counts ? `${band?.label ?? ''} (${parts.join(' + ')} of ${total.v} workers)` : (band?.label ?? ''),
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

  // A corridors question that does not apply (no migrant workers) adds nothing; one that applies but is empty
  // counts as unknown, unless the site said it employs no migrant workers at all.
  if (ri.corridors && routesQ?.e && routesQ.applies) {
    if (routes.length > 0) out.push(routeFactor(r, p, routesQ.e, routes, respondent === 'recruiter', countryCode))
    else
      out.push({
        factor: 'corridors',
        question: routesQ.e.question.id,
        input: 'not answered',
        points: noMigrants ? 0 : ri.corridors.unanswered_points,
        basis: noMigrants
          ? 'no migrant workers: no routes to score'
          : 'routes not given: rubric default until they are',
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

/** The stored rows that parse (checkAnswers lets no other in) with at least one worker. */
function parseRoutes(rows: readonly string[]): (Corridor & { row: string })[] {
  const out: (Corridor & { row: string })[] = []
  for (const row of rows) {
    const c = parseCorridor(row)
    if (c && c.workers > 0) out.push({ ...c, row })
  }
  return out
}

/** Points of a country in the table, or the table's default for a country without data. */
function countryPoints(r: Rubric, p: PreparedRubric, code: string): { points: number; basis: string } {
  const row = p.countries.get(code)
  return row && row.points !== null
    ? { points: row.points, basis: row.basis }
    : { points: r.inherent.country.default_points, basis: r.inherent.country.default_basis }
}

/** Routes combined by the rubric's weighting: the workers-weighted mean or the riskiest route. */
function combine(r: Rubric, scored: readonly { workers: number; points: number }[]): { points: number; how: string } {
  const weighting = r.inherent.corridors?.weighting ?? 'workers'
  if (weighting === 'worst') return { points: Math.max(...scored.map((s) => s.points)), how: 'the riskiest route' }
  const workers = scored.reduce((s, x) => s + x.workers, 0)
  const sum = scored.reduce((s, x) => s + x.points * x.workers, 0)
  const written = scored.map((s) => `${s.points} × ${s.workers}`).join(' + ')
  return {
    points: round1(sum / workers),
    how: `mean of the routes weighted by workers: (${written}) ÷ ${workers}`,
  }
}

const routeName = (origin: string, destination: string | null) =>
  destination && destination !== origin
    ? `${countryName(origin)} to ${countryName(destination)}`
    : `${countryName(origin)}${destination === origin ? ' (within the country)' : ''}`

const routesInput = (routes: readonly Corridor[], destination: (c: Corridor) => string | null) =>
  routes.map((c) => `${routeName(c.origin, destination(c))} ${c.workers}`).join('; ')

/**
 * A recruiter's country factor from its routes: each route counts the riskier of its two countries (where workers
 * are recruited, where they are placed), on the country table's scale; the head office does not count.
 */
function routeCountries(
  r: Rubric,
  p: PreparedRubric,
  e: QuestionEntry,
  routes: readonly (Corridor & { row: string })[],
  headOffice: Got,
): InherentFactor {
  const scored = routes.map((c) => {
    const o = countryPoints(r, p, c.origin)
    const d = c.destination ? countryPoints(r, p, c.destination) : o
    const worse = d.points > o.points ? { code: c.destination as string, ...d } : { code: c.origin, ...o }
    return {
      row: c.row,
      origin: c.origin,
      destination: c.destination,
      workers: c.workers,
      points: worse.points,
      basis: `the riskier country of the route, ${countryName(worse.code)}: ${worse.basis}`,
    }
  })
  const { points, how } = combine(r, scored)
  const office =
    typeof headOffice.v === 'string'
      ? `; the head office (${countryName(headOffice.v)}) does not count: a recruiter's risk lies where it recruits and places`
      : ''
  return {
    factor: 'country',
    question: e.question.id,
    input: routesInput(routes, (c) => c.destination),
    points,
    basis: `countries of the routes, ${how} (${r.inherent.country.source})${office}`,
    routes: scored,
  }
}

/**
 * The routes factor. A site's route (origin, workers, channel) scores its origin country and, where a survey
 * covers the corridor to the site's country, the typical cost workers paid. A recruiter's route (origin,
 * destination, workers, fee band) scores the surveyed cost and the fee band it reports; its countries are in its
 * country factor.
 */
function routeFactor(
  r: Rubric,
  p: PreparedRubric,
  e: QuestionEntry,
  routes: readonly (Corridor & { row: string })[],
  recruiter: boolean,
  siteCountry: string | undefined,
): InherentFactor {
  const rc = r.inherent.corridors as NonNullable<Rubric['inherent']['corridors']>
  const fees = r.inherent.corridor_fee_bands
  const destinationOf = (c: Corridor) => (recruiter ? c.destination : (siteCountry ?? null))
  const scored = routes.map((c) => {
    const destination = destinationOf(c)
    const parts: string[] = []
    let pts = 0
    if (!recruiter) {
      const o = countryPoints(r, p, c.origin)
      const band = bandOf(rc.origin, o.points)
      pts += band.points
      parts.push(`origin ${band.points} (${countryName(c.origin)}: ${band.label})`)
    }
    const cost = destination ? p.corridorCosts.get(`${c.origin}-${destination}`) : undefined
    if (cost) {
      const band = bandOf(rc.cost_bands, cost.months)
      pts += band.points
      parts.push(`cost ${band.points} (${cost.months} months of earnings, ${band.label}: ${cost.survey}, ${cost.year})`)
    } else if (destination === null) parts.push('no corridor survey looked up: the site country is not answered')
    else if (destination === c.origin)
      parts.push('migration within the country: no corridor survey, origin-country data only')
    else parts.push('no corridor survey: origin-country data only')
    if (recruiter && fees) {
      const known = fees[c.choice]
      const fee = known ?? fees.dont_know ?? Math.max(0, ...Object.values(fees))
      pts += fee
      parts.push(
        known !== undefined
          ? `fee workers paid ${fee} (${labelOf(e, c.choice)})`
          : `fee workers paid ${fee} ("${c.choice}" has no points in this rubric: counted as not known)`,
      )
    }
    const points = Math.min(rc.max_points, pts)
    const capped = pts > points ? `, at most ${rc.max_points}` : ''
    return {
      row: c.row,
      origin: c.origin,
      destination,
      workers: c.workers,
      points,
      basis: `${parts.join(' + ')}${capped}`,
    }
  })
  const { points, how } = combine(r, scored)
  return {
    factor: 'corridors',
    question: e.question.id,
    input: routesInput(routes, destinationOf),
    points,
    basis: `${how}; ${scored.map((s) => `${routeName(s.origin, s.destination)}: ${s.points}`).join('; ')}`,
    routes: scored,
  }
}
