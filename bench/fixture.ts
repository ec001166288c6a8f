import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAdminWithOrganisation, createOrganisation } from '../src/access/organisation.service.ts'
import { createUser } from '../src/access/person.service.ts'
import type { Principal } from '../src/access/principal.ts'
import { buildApp } from '../src/app.ts'
import { saveAnswers } from '../src/assessment/answers.service.ts'
import { requestAssessment } from '../src/assessment/assessment.service.ts'
import { loadConfig } from '../src/config.ts'
import { generateAssessment } from '../src/demo/answers-generator.ts'
import type { RawAnswer } from '../src/questionnaire/answers.ts'
import { compiledVersion, getQuestionnaireVersion } from '../src/questionnaire/questionnaire.service.ts'

export const BENCH_PASSWORD = 'benchmark passphrase'

/** A migrated database with one brand, one supplier and a half-answered requested assessment. */
export async function prepareDatabase(): Promise<{ dir: string; dbPath: string; assessmentId: number; email: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'fairhire-bench-'))
  const dbPath = join(dir, 'bench.db')
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_PATH: dbPath })
  const app = await buildApp(config, { logger: false })
  const db = app.db
  const brand = await createAdminWithOrganisation(db, {
    organisation: { kind: 'brand', name: 'Bench Brand' },
    email: 'brand@bench.test',
    name: 'Brand',
    password: BENCH_PASSWORD,
  })
  const supplierId = await createOrganisation(db, { kind: 'supplier', name: 'Bench Supplier', country: 'TH' })
  await db
    .insertInto('brand_supplier')
    .values({
      brand_id: brand.organisationId,
      supplier_id: supplierId,
      internal_code: null,
      tier: 1,
      created_at: new Date().toISOString(),
    })
    .execute()
  const userId = await createUser(
    db,
    { organisationId: supplierId, email: 'hr@bench.test', name: 'HR', password: BENCH_PASSWORD, role: 'respondent' },
    null,
  )
  const analyst: Principal = {
    kind: 'user',
    userId: brand.userId,
    tokenId: null,
    organisationId: brand.organisationId,
    organisationKind: 'brand',
    organisationName: 'Bench Brand',
    role: 'admin',
    name: 'Brand',
    email: null,
  }
  const resp: Principal = {
    kind: 'user',
    userId,
    tokenId: null,
    organisationId: supplierId,
    organisationKind: 'supplier',
    organisationName: 'Bench Supplier',
    role: 'respondent',
    name: 'HR',
    email: null,
  }
  const assessmentId = await requestAssessment(db, analyst, {
    organisationId: supplierId,
    questionnaire: 'employer',
    dueDate: null,
  })
  const cq = compiledVersion(await getQuestionnaireVersion(db, 'employer'))
  const g = generateAssessment(cq, 42)
  const answers: Record<string, RawAnswer> = {}
  for (const [k, v] of g.answers) answers[k] = v
  await saveAnswers(db, resp, assessmentId, { answers })
  await app.close()
  return { dir, dbPath, assessmentId, email: 'hr@bench.test' }
}
