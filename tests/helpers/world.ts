import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach } from 'vitest'
import { createApiToken } from '../../src/access/api-token.service.ts'
import { createAdminWithOrganisation, createOrganisation } from '../../src/access/organisation.service.ts'
import { createUser } from '../../src/access/person.service.ts'
import type { Principal } from '../../src/access/principal.ts'
import { saveAnswers } from '../../src/assessment/answers.service.ts'
import { requestAssessment, startSelfCheck } from '../../src/assessment/assessment.service.ts'
import { testApp } from './app.ts'
import { PROFILE } from './scoring.ts'

export const PASSWORD = 'correct horse battery'

export function principal(
  userId: number,
  organisationId: number,
  kind: Principal['organisationKind'],
  role: Principal['role'],
  name = 'x',
): Principal {
  return {
    kind: 'user',
    userId,
    tokenId: null,
    organisationId,
    organisationKind: kind,
    organisationName: name,
    role,
    name,
    email: null,
  }
}

/**
 * Two brands, two suppliers, one recruiter, with people in every role; brand A requested an
 * assessment from supplier A; supplier A also has a self-check; supplier B has a self-check.
 */
export async function buildWorld(app: FastifyInstance) {
  const db = app.db
  const brandA = await createAdminWithOrganisation(db, {
    organisation: { kind: 'brand', name: 'Brand A' },
    email: 'admin@brand-a.test',
    name: 'Admin A',
    password: PASSWORD,
  })
  const brandB = await createAdminWithOrganisation(db, {
    organisation: { kind: 'brand', name: 'Brand B' },
    email: 'admin@brand-b.test',
    name: 'Admin B',
    password: PASSWORD,
  })
  const analystA = await createUser(
    db,
    {
      organisationId: brandA.organisationId,
      email: 'analyst@brand-a.test',
      name: 'Analyst A',
      password: PASSWORD,
      role: 'analyst',
    },
    null,
  )
  const _analystB = await createUser(
    db,
    {
      organisationId: brandB.organisationId,
      email: 'analyst@brand-b.test',
      name: 'Analyst B',
      password: PASSWORD,
      role: 'analyst',
    },
    null,
  )
  const supplierA = await createOrganisation(db, { kind: 'supplier', name: 'Supplier A', country: 'TH' })
  const supplierB = await createOrganisation(db, { kind: 'supplier', name: 'Supplier B', country: 'MY' })
  const now = new Date().toISOString()
  await db
    .insertInto('brand_supplier')
    .values([
      { brand_id: brandA.organisationId, supplier_id: supplierA, internal_code: 'A-1', tier: 1, created_at: now },
      { brand_id: brandB.organisationId, supplier_id: supplierB, internal_code: 'B-1', tier: 1, created_at: now },
    ])
    .execute()
  const respA = await createUser(
    db,
    { organisationId: supplierA, email: 'hr@supplier-a.test', name: 'HR A', password: PASSWORD, role: 'respondent' },
    null,
  )
  const adminSA = await createUser(
    db,
    { organisationId: supplierA, email: 'admin@supplier-a.test', name: 'Admin SA', password: PASSWORD, role: 'admin' },
    null,
  )
  const respB = await createUser(
    db,
    { organisationId: supplierB, email: 'hr@supplier-b.test', name: 'HR B', password: PASSWORD, role: 'respondent' },
    null,
  )
  const pAnalystA = principal(analystA, brandA.organisationId, 'brand', 'analyst', 'Brand A')
  const pRespA = principal(respA, supplierA, 'supplier', 'respondent', 'Supplier A')
  const pRespB = principal(respB, supplierB, 'supplier', 'respondent', 'Supplier B')
  const requested = await requestAssessment(db, pAnalystA, {
    organisationId: supplierA,
    questionnaire: 'employer',
    dueDate: null,
  })
  await saveAnswers(db, pRespA, requested, { answers: { ...PROFILE, 'A6.1': 'held_restricted' } })
  const selfA = await startSelfCheck(db, pRespA, { questionnaire: 'employer' })
  const selfB = await startSelfCheck(db, pRespB, { questionnaire: 'employer' })
  const tokenA = await createApiToken(
    db,
    principal(brandA.userId, brandA.organisationId, 'brand', 'admin', 'Brand A'),
    'integration',
    'analyst',
  )
  return {
    brandA: brandA.organisationId,
    brandB: brandB.organisationId,
    supplierA,
    supplierB,
    users: {
      adminA: 'admin@brand-a.test',
      adminB: 'admin@brand-b.test',
      analystA: 'analyst@brand-a.test',
      analystB: 'analyst@brand-b.test',
      respA: 'hr@supplier-a.test',
      adminSA: 'admin@supplier-a.test',
      respB: 'hr@supplier-b.test',
    },
    principals: {
      analystA: pAnalystA,
      respA: pRespA,
      respB: pRespB,
      adminSA: principal(adminSA, supplierA, 'supplier', 'admin', 'Supplier A'),
    },
    assessments: { requested, selfA, selfB },
    tokenA,
  }
}

export type TestApp = Awaited<ReturnType<typeof testApp>>
export type World = Awaited<ReturnType<typeof buildWorld>>

/**
 * A fresh app on its own database, with the shared world built in it, for every test of the calling block:
 * `use` receives them before each test (other beforeEach hooks of the block run after it); the app is closed
 * after each test.
 */
export function worldPerTest(use: (t: TestApp, w: World) => void): void {
  let current: TestApp | undefined
  beforeEach(async () => {
    current = await testApp()
    use(current, await buildWorld(current.app))
  })
  afterEach(async () => {
    await current?.close()
  })
}
