import type { AnswerValue } from '../questionnaire/condition.ts'
import type { CompiledQuestionnaire, QuestionEntry } from '../questionnaire/model.ts'

/**
 * A seeded generator of realistic answer sets: each site gets a "maturity" that makes good answers
 * more or less likely, a share of "don't know", and evidence on some of its good answers.
 */

/** mulberry32: small, fast, good enough for test data; the same seed gives the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const COUNTRIES = [
  'TH',
  'MY',
  'VN',
  'BD',
  'IN',
  'CN',
  'AE',
  'SA',
  'QA',
  'TR',
  'MX',
  'DE',
  'GB',
  'TW',
  'JP',
  'KR',
  'NP',
  'ID',
]
const SECTORS = [
  'garment_textile',
  'electronics',
  'seafood_fishing',
  'agriculture',
  'palm_oil',
  'construction',
  'food_processing',
  'hospitality',
  'logistics',
  'manufacturing_other',
]

/** Home countries of migrant workers, and countries recruiters place them in, for generated routes. */
const ORIGINS = ['NP', 'BD', 'MM', 'KH', 'IN', 'PK', 'ID', 'VN', 'PH', 'LK', 'ET', 'LA']
const DESTINATIONS = ['MY', 'QA', 'SA', 'AE', 'KW', 'JP', 'KR', 'SG', 'TH', 'OM']

export type GeneratedAssessment = { answers: Map<string, AnswerValue>; evidence: Set<string> }

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)] as T
}

function answerFor(e: QuestionEntry, r: () => number, maturity: number, dkRate: number): AnswerValue | undefined {
  const q = e.question
  if (!q.required && r() < 0.5) return undefined
  switch (q.type) {
    case 'scale': {
      if (r() < dkRate) return 'dont_know'
      const x = r()
      return x < maturity ? 'yes' : x < maturity + (1 - maturity) / 2 ? 'partly' : 'no'
    }
    case 'single': {
      const usable = e.choices.filter((c) => !c.not_applicable)
      const dk = usable.find((c) => c.dont_know)
      if (dk && r() < dkRate) return dk.id
      const ranked = usable
        .filter((c) => !c.dont_know)
        .sort((a, b) => (b.credit ?? 0) - (a.credit ?? 0) || Number(!!a.red_flag) - Number(!!b.red_flag))
      // Good sites mostly pick the best answer; red-flag answers stay rare even at weak sites.
      if (r() < maturity) return ranked[0]?.id
      const rest = ranked.filter((c) => !c.red_flag || r() < 0.15)
      return pick(r, rest.length ? rest : ranked).id
    }
    case 'multi': {
      const plain = e.choices.filter((c) => !c.exclusive && !c.dont_know)
      const chosen = plain.filter(() => r() < maturity).map((c) => c.id)
      if (chosen.length > 0) return chosen
      const none = e.choices.find((c) => c.exclusive)
      return none ? [none.id] : [pick(r, plain).id]
    }
    case 'number':
      return Math.max(q.min ?? 0, Math.round(r() * 20))
    case 'text':
      return 'Notes from the site'
    case 'date':
      return '2026-06-30'
    case 'country':
      return pick(r, COUNTRIES)
    case 'corridors':
      return undefined
  }
}

/**
 * Migration routes as the `corridors` question stores them: a site's migrant workers split over one to three home
 * countries (and its internal migrants on a route within its own country); a recruiter's placements over routes
 * with a destination. Choices (channel or fee band) at random.
 */
function routesFor(e: QuestionEntry, r: () => number, answers: Map<string, AnswerValue>): string[] | undefined {
  const known = e.choices.filter((c) => !c.dont_know)
  const choice = () => pick(r, known.length > 0 ? known : e.choices).id
  const site = answers.get('A0.1')
  const origins = ORIGINS.filter((o) => o !== site)
    .map((o) => ({ o, k: r() }))
    .sort((a, b) => a.k - b.k)
    .slice(0, 1 + Math.floor(r() * 3))
    .map((x) => x.o)
  if (e.question.corridor_destination) {
    return origins.map((o) => `${o}-${pick(r, DESTINATIONS)}:${20 + Math.floor(r() * 480)}:${choice()}`)
  }
  const cross = Number(answers.get('A0.3b') ?? 0)
  const internal = Number(answers.get('A0.3c') ?? 0)
  const rows: string[] = []
  let left = cross
  for (const [i, o] of origins.entries()) {
    const n = i === origins.length - 1 ? left : Math.floor(left * (0.3 + r() * 0.5))
    if (n > 0) rows.push(`${o}:${n}:${choice()}`)
    left -= n
  }
  if (internal > 0 && typeof site === 'string') rows.push(`${site}:${internal}:${choice()}`)
  return rows.length > 0 ? rows : undefined
}

export function generateAssessment(cq: CompiledQuestionnaire, seed: number): GeneratedAssessment {
  const r = rng(seed)
  const maturity = 0.35 + r() * 0.6
  const dkRate = r() < 0.2 ? 0.3 : 0.04
  const answers = new Map<string, AnswerValue>()
  const evidence = new Set<string>()
  for (const e of cq.entries) {
    let v: AnswerValue | undefined
    const p = e.question.profile
    if (p === 'country') v = pick(r, COUNTRIES)
    else if (p === 'sector') v = e.question.type === 'multi' ? [pick(r, SECTORS)] : pick(r, SECTORS)
    else if (p === 'workers_total') v = 50 + Math.floor(r() * 3000)
    else if (p === 'migrant_workers') v = Math.floor(((answers.get('A0.3') as number) ?? 500) * r())
    else if (p === 'internal_migrants') {
      // A third of sites employ internal migrants too, never more than the workers left after cross-border ones.
      const room = ((answers.get('A0.3') as number) ?? 500) - ((answers.get('A0.3b') as number) ?? 0)
      v = r() < 0.35 ? Math.floor(Math.max(0, room) * r()) : 0
    } else if (p === 'corridors') v = routesFor(e, r, answers)
    else if (p === 'employer_accommodation') v = r() < 0.6 ? 'yes' : 'no'
    else v = answerFor(e, r, maturity, dkRate)
    if (v !== undefined) answers.set(e.question.id, v)
    if (e.scored && r() < maturity * 0.7) evidence.add(e.question.id)
  }
  return { answers, evidence }
}
