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

/** Countries migrant workers commonly come from, for generated migration routes. */
const ORIGINS = ['NP', 'BD', 'MM', 'KH', 'ID', 'PH', 'IN', 'VN', 'LA', 'UZ', 'LK', 'PK']

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
  }
}

/**
 * Routes for a `corridors` question ("NP:120:origin_agency"): the cross-border migrants split over one to three
 * origin countries, and the internal migrants from the site's own country, each through one of the question's
 * choices. Nothing when the site has no migrant workers (the question then does not apply).
 */
function corridorsFor(
  e: QuestionEntry,
  r: () => number,
  byProfile: ReadonlyMap<string, AnswerValue>,
): AnswerValue | undefined {
  const count = (key: string) => {
    const v = byProfile.get(key)
    return typeof v === 'number' ? v : 0
  }
  const migrants = count('migrant_workers')
  const internal = count('internal_migrants')
  const site = String(byProfile.get('country') ?? '')
  const channel = () => pick(r, e.choices).id
  const rows: string[] = []
  const origins = ORIGINS.filter((c) => c !== site)
  const n = Math.min(1 + Math.floor(r() * 3), migrants)
  for (let i = 0; i < n; i++) {
    const share = i < n - 1 ? Math.floor(migrants / n) : migrants - Math.floor(migrants / n) * (n - 1)
    const origin = origins.splice(Math.floor(r() * origins.length), 1)[0] as string
    if (share > 0) rows.push(`${origin}:${share}:${channel()}`)
  }
  if (internal > 0 && site) rows.push(`${site}:${internal}:${channel()}`)
  return rows.length > 0 ? rows : undefined
}

export function generateAssessment(cq: CompiledQuestionnaire, seed: number): GeneratedAssessment {
  const r = rng(seed)
  const maturity = 0.35 + r() * 0.6
  const dkRate = r() < 0.2 ? 0.3 : 0.04
  const answers = new Map<string, AnswerValue>()
  const evidence = new Set<string>()
  const byProfile = new Map<string, AnswerValue>()
  for (const e of cq.entries) {
    let v: AnswerValue | undefined
    const p = e.question.profile
    if (p === 'country') v = pick(r, COUNTRIES)
    else if (p === 'sector') v = e.question.type === 'multi' ? [pick(r, SECTORS)] : pick(r, SECTORS)
    else if (p === 'workers_total') v = 50 + Math.floor(r() * 3000)
    else if (p === 'migrant_workers') v = Math.floor(((answers.get('A0.3') as number) ?? 500) * r())
    else if (p === 'employer_accommodation') v = r() < 0.6 ? 'yes' : 'no'
    else if (e.question.type === 'corridors') v = corridorsFor(e, r, byProfile)
    else v = answerFor(e, r, maturity, dkRate)
    if (v !== undefined) answers.set(e.question.id, v)
    if (v !== undefined && p) byProfile.set(p, v)
    if (e.scored && r() < maturity * 0.7) evidence.add(e.question.id)
  }
  return { answers, evidence }
}
