import type { Kysely } from 'kysely'
import * as audit from '../access/audit.repository.ts'
import { createAdminWithOrganisation, createOrganisation } from '../access/organisation.service.ts'
import { createUser, userCount } from '../access/person.service.ts'
import type { Principal } from '../access/principal.ts'
import { missingRequired, saveAnswers } from '../assessment/answers.service.ts'
import * as assessments from '../assessment/assessment.repository.ts'
import { requestAssessment, startSelfCheck } from '../assessment/assessment.service.ts'
import { submitAssessment } from '../assessment/submission.service.ts'
import type { Database } from '../db/database.ts'
import type { RawAnswer } from '../questionnaire/answers.ts'
import { compiledVersion, getQuestionnaireVersion } from '../questionnaire/questionnaire.service.ts'
import { generateAssessment, rng } from './answers-generator.ts'
import { fallbackAnswer, seedBulkSuppliers } from './bulk.ts'

/**
 * A believable demo: one brand, twelve supplier sites in several countries and sectors, two labour
 * recruiters, and assessments in every state with varied answers. Same seed, same data. With `suppliers`,
 * generated suppliers (bulk.ts) fill the brand's list up to that many, for trying the portfolio at scale.
 */

export const DEMO_PASSWORD = 'fairhire-demo-2026'
export const DEMO_LOGINS = [
  { email: 'analyst@northwind.example', role: 'brand analyst (Northwind Apparel)' },
  { email: 'admin@northwind.example', role: 'brand administrator' },
  { email: 'hr@siam-seafood.example', role: 'supplier respondent (Siam Seafood, Thailand)' },
  { email: 'hr@penang-circuits.example', role: 'supplier respondent (Penang Circuits, Malaysia)' },
  { email: 'ops@kathmandu-manpower.example', role: 'labour recruiter (Kathmandu Manpower, Nepal)' },
] as const

const SUPPLIERS = [
  {
    name: 'Siam Seafood Processing',
    email: 'hr@siam-seafood.example',
    country: 'TH',
    sector: 'seafood_fishing',
    workers: 820,
    migrants: 610,
    code: 'TH-014',
    tier: 2,
  },
  {
    name: 'Penang Circuits',
    email: 'hr@penang-circuits.example',
    country: 'MY',
    sector: 'electronics',
    workers: 1450,
    migrants: 640,
    code: 'MY-003',
    tier: 1,
  },
  {
    name: 'Dhaka Knitwear',
    email: 'hr@dhaka-knit.example',
    country: 'BD',
    sector: 'garment_textile',
    workers: 2100,
    migrants: 40,
    code: 'BD-021',
    tier: 1,
  },
  {
    name: 'Saigon Stitch',
    email: 'hr@saigon-stitch.example',
    country: 'VN',
    sector: 'garment_textile',
    workers: 980,
    migrants: 160,
    code: 'VN-007',
    tier: 1,
  },
  {
    name: 'Klang Gloves',
    email: 'hr@klang-gloves.example',
    country: 'MY',
    sector: 'manufacturing_other',
    workers: 1200,
    migrants: 900,
    code: 'MY-011',
    tier: 2,
  },
  {
    name: 'Doha Build Services',
    email: 'hr@doha-build.example',
    country: 'QA',
    sector: 'construction',
    workers: 3400,
    migrants: 3300,
    code: 'QA-002',
    tier: 3,
  },
  {
    name: 'Taipei Precision',
    email: 'hr@taipei-precision.example',
    country: 'TW',
    sector: 'electronics',
    workers: 760,
    migrants: 290,
    code: 'TW-005',
    tier: 1,
  },
  {
    name: 'Sumatra Palm Mills',
    email: 'hr@sumatra-palm.example',
    country: 'ID',
    sector: 'palm_oil',
    workers: 540,
    migrants: 120,
    code: 'ID-009',
    tier: 3,
  },
  {
    name: 'Izmir Textiles',
    email: 'hr@izmir-textiles.example',
    country: 'TR',
    sector: 'garment_textile',
    workers: 650,
    migrants: 110,
    code: 'TR-004',
    tier: 1,
  },
  {
    name: 'Leicester Garments',
    email: 'hr@leicester-garments.example',
    country: 'GB',
    sector: 'garment_textile',
    workers: 140,
    migrants: 70,
    code: 'GB-001',
    tier: 1,
  },
  {
    name: 'Almeria Greenhouses',
    email: 'hr@almeria-greens.example',
    country: 'ES',
    sector: 'agriculture',
    workers: 310,
    migrants: 260,
    code: 'ES-006',
    tier: 2,
  },
  {
    name: 'Monterrey Logistics',
    email: 'hr@monterrey-logistics.example',
    country: 'MX',
    sector: 'logistics',
    workers: 420,
    migrants: 35,
    code: 'MX-010',
    tier: 2,
  },
] as const

const RECRUITERS = [
  { name: 'Kathmandu Manpower', email: 'ops@kathmandu-manpower.example', country: 'NP' },
  { name: 'Yangon Overseas Employment', email: 'ops@yangon-overseas.example', country: 'MM' },
] as const

const STATES = [
  'draft',
  'submitted',
  'reviewed',
  'returned',
  'submitted',
  'draft',
  'reviewed',
  'submitted',
  'returned',
  'draft',
  'submitted',
  'reviewed',
] as const

function principal(
  userId: number,
  organisationId: number,
  kind: Principal['organisationKind'],
  name: string,
  role: Principal['role'],
  orgName: string,
): Principal {
  return {
    kind: 'user',
    userId,
    tokenId: null,
    organisationId,
    organisationKind: kind,
    organisationName: orgName,
    role,
    name,
    email: null,
  }
}

/** The suppliers and recruiters of the standard demo: the least `suppliers` can ask for. */
export const DEMO_ORGANISATIONS = SUPPLIERS.length + RECRUITERS.length

export type SeedOptions = {
  /** How many suppliers and recruiters the brand's list holds in all; more than the demo's own are generated. */
  suppliers?: number
  /** Progress of the generated suppliers, after each batch. */
  onProgress?: (done: number, total: number) => void
}

export async function seedDemo(
  db: Kysely<Database>,
  now = new Date('2026-11-20T09:00:00Z'),
  options: SeedOptions = {},
): Promise<{ assessments: number; suppliers: number }> {
  if ((await userCount(db)) > 0)
    throw new Error('the database already has people in it; the demo fills only an empty database')
  if (options.suppliers !== undefined && options.suppliers < DEMO_ORGANISATIONS)
    throw new RangeError(`suppliers: at least ${DEMO_ORGANISATIONS} (the demo's own suppliers and recruiters)`)
  const r = rng(2026)
  const brand = await createAdminWithOrganisation(
    db,
    {
      organisation: { kind: 'brand', name: 'Northwind Apparel', country: 'GB' },
      email: 'admin@northwind.example',
      name: 'Amira Haddad',
      password: DEMO_PASSWORD,
    },
    now,
  )
  const analystId = await createUser(
    db,
    {
      organisationId: brand.organisationId,
      email: 'analyst@northwind.example',
      name: 'Tomás Reyes',
      password: DEMO_PASSWORD,
      role: 'analyst',
    },
    null,
    now,
  )
  const analyst = principal(analystId, brand.organisationId, 'brand', 'Tomás Reyes', 'analyst', 'Northwind Apparel')

  const employer = await getQuestionnaireVersion(db, 'employer')
  const recruiterQ = await getQuestionnaireVersion(db, 'recruiter')
  let count = 0

  const answerAndProgress = async (
    p: Principal,
    assessmentId: number,
    questionnaire: typeof employer,
    seed: number,
    state: (typeof STATES)[number],
    profile: Record<string, RawAnswer>,
  ) => {
    const cq = compiledVersion(questionnaire)
    const g = generateAssessment(cq, seed)
    const answers: Record<string, RawAnswer> = {}
    for (const [k, v] of g.answers) answers[k] = v
    Object.assign(answers, profile)
    // A draft is half done; everything else was answered in full.
    const keys = Object.keys(answers)
    const chosen =
      state === 'draft'
        ? Object.fromEntries(keys.slice(0, Math.ceil(keys.length / 2)).map((k) => [k, answers[k] as RawAnswer]))
        : answers
    await saveAnswers(db, p, assessmentId, { answers: chosen }, now)
    if (state === 'draft') return
    await fillRequired(db, p, assessmentId, cq, now)
    await submitAssessment(db, p, assessmentId, now)
    if (state === 'reviewed' || state === 'returned') {
      await assessments.update(db, assessmentId, {
        status: state,
        reviewed_at: state === 'reviewed' ? now.toISOString() : null,
      })
      await audit.record(
        db,
        analyst,
        [
          {
            organisationId: p.organisationId,
            assessmentId,
            action: state === 'reviewed' ? 'review' : 'return',
            entity: 'assessment',
            entityId: assessmentId,
            oldValue: 'submitted',
            newValue: state,
          },
        ],
        now,
      )
    }
  }

  for (const [i, s] of SUPPLIERS.entries()) {
    const orgId = await createOrganisation(
      db,
      { kind: 'supplier', name: s.name, country: s.country, sector: s.sector, workersTotal: s.workers },
      now,
    )
    await db
      .insertInto('brand_supplier')
      .values({
        brand_id: brand.organisationId,
        supplier_id: orgId,
        internal_code: s.code,
        tier: s.tier,
        created_at: now.toISOString(),
      })
      .execute()
    const userId = await createUser(
      db,
      {
        organisationId: orgId,
        email: s.email,
        name: `HR manager, ${s.name}`,
        password: DEMO_PASSWORD,
        role: 'respondent',
      },
      null,
      now,
    )
    const p = principal(userId, orgId, 'supplier', `HR manager, ${s.name}`, 'respondent', s.name)
    const due = new Date(now.getTime() + (i % 3 === 0 ? -7 : 30) * 86_400_000).toISOString().slice(0, 10)
    const id = await requestAssessment(
      db,
      analyst,
      { organisationId: orgId, questionnaire: 'employer', dueDate: due < now.toISOString().slice(0, 10) ? null : due },
      now,
    )
    const channels =
      r() < 0.5
        ? ['origin_agency', 'destination_agency']
        : r() < 0.5
          ? ['direct']
          : ['informal_broker', 'origin_agency']
    const profile = {
      'A0.1': s.country,
      'A0.2': s.sector,
      'A0.3': s.workers,
      'A0.3b': s.migrants,
      'A0.4': demoRoutes(s.country, s.migrants, channels),
      'A0.5': channels,
    }
    await answerAndProgress(p, id, employer, 100 + i, STATES[i] as (typeof STATES)[number], profile)
    count++
    if (i === 1) {
      // One site also keeps its own self-check, not shared with anyone.
      const own = await startSelfCheck(db, p, { questionnaire: 'employer', title: 'Internal self-check 2026' }, now)
      await answerAndProgress(p, own, employer, 999, 'draft', profile)
      count++
    }
  }

  for (const [i, rec] of RECRUITERS.entries()) {
    const orgId = await createOrganisation(db, { kind: 'recruiter', name: rec.name, country: rec.country }, now)
    await db
      .insertInto('brand_supplier')
      .values({
        brand_id: brand.organisationId,
        supplier_id: orgId,
        internal_code: `RA-${i + 1}`,
        tier: 3,
        created_at: now.toISOString(),
      })
      .execute()
    const userId = await createUser(
      db,
      {
        organisationId: orgId,
        email: rec.email,
        name: `Operations, ${rec.name}`,
        password: DEMO_PASSWORD,
        role: 'respondent',
      },
      null,
      now,
    )
    const p = principal(userId, orgId, 'recruiter', `Operations, ${rec.name}`, 'respondent', rec.name)
    const id = await requestAssessment(
      db,
      analyst,
      { organisationId: orgId, questionnaire: 'recruiter', dueDate: null },
      now,
    )
    await answerAndProgress(p, id, recruiterQ, 500 + i, i === 0 ? 'submitted' : 'draft', { 'B0.3': rec.country })
    count++
  }
  const extra = (options.suppliers ?? DEMO_ORGANISATIONS) - DEMO_ORGANISATIONS
  if (extra > 0) {
    const bulk = await seedBulkSuppliers(db, {
      brandId: brand.organisationId,
      requestedBy: analystId,
      count: extra,
      now,
      onProgress: options.onProgress,
    })
    count += bulk.assessments
  }
  return { assessments: count, suppliers: DEMO_ORGANISATIONS + Math.max(0, extra) }
}

/** Generated answers can skip a required question that a condition opened; answer it "don't know" or at random. */
/** Where a demo site's cross-border migrants typically come from (a common corridor into that country). */
const DEMO_ORIGIN: Record<string, string> = {
  TH: 'MM',
  MY: 'NP',
  BD: 'MM',
  VN: 'KH',
  QA: 'NP',
  TW: 'VN',
  ID: 'TL',
  TR: 'SY',
  GB: 'RO',
  ES: 'MA',
  MX: 'GT',
}

/** The site's migration routes (A0.4): its migrants from one origin country, split over the channels it uses. */
function demoRoutes(country: string, migrants: number, channels: string[]): string[] {
  const origin = DEMO_ORIGIN[country] ?? 'NP'
  const first = Math.ceil(migrants / channels.length)
  return channels
    .map((c, i) => `${origin}:${i === 0 ? first : Math.floor((migrants - first) / (channels.length - 1))}:${c}`)
    .filter((row) => !/:0:/.test(row))
}

async function fillRequired(
  db: Kysely<Database>,
  p: Principal,
  id: number,
  cq: ReturnType<typeof compiledVersion>,
  now: Date,
) {
  for (let round = 0; round < 3; round++) {
    const missing = await missingRequired(db, p, id)
    if (missing.length === 0) return
    const answers: Record<string, RawAnswer> = {}
    for (const m of missing) {
      const e = cq.byId.get(m.question)
      if (e) answers[m.question] = fallbackAnswer(e)
    }
    await saveAnswers(db, p, id, { answers }, now)
  }
}
