import { defineConfig } from 'vitest/config'

/**
 * Three kinds of test, one project each (`npx vitest run --project unit`):
 * - unit: pure modules (questionnaire model, conditions, scoring engine, workbook writers and readers, messages)
 *   with no database and no server;
 * - integration: through the public surface (app.inject, the CLI, a spawned server), each test on its own copy
 *   of a migrated database; every test file not listed as unit or browser lands here;
 * - browser: pages in Debian's chromium through playwright-core.
 */
const UNIT = [
  'tests/foundation/config.test.ts',
  'tests/questionnaire/condition.test.ts',
  'tests/questionnaire/content.test.ts',
  'tests/questionnaire/answer-text.test.ts',
  'tests/questionnaire/consistency-rules.test.ts',
  'tests/questionnaire/employer-2026.2.test.ts',
  'tests/questionnaire/version-map.test.ts',
  'tests/reports/cell-safety.test.ts',
  'tests/reports/gap-report.test.ts',
  'tests/reports/portfolio.test.ts',
  'tests/reports/portfolio-csv.test.ts',
  'tests/reports/questionnaire-workbook.test.ts',
  'tests/reports/routes-workbook.test.ts',
  'tests/reports/rescore-changes.test.ts',
  'tests/reports/upload-pool.test.ts',
  'tests/scoring/engine.test.ts',
  'tests/scoring/engine-2026-2.test.ts',
  'tests/scoring/inherent-risk.test.ts',
  'tests/scoring/properties.test.ts',
  'tests/scoring/scenarios.test.ts',
  'tests/web/**/*.test.ts',
]
const BROWSER = ['tests/browser/**/*.test.ts']

const shared = {
  globalSetup: ['tests/helpers/global-setup.ts'],
  testTimeout: 20_000,
  hookTimeout: 30_000,
  pool: 'forks' as const,
}

/**
 * Every project runs once per engine named in FAIRHIRE_TEST_DIALECTS (default: sqlite only, so `npm test`
 * needs nothing else). `FAIRHIRE_TEST_DIALECTS=sqlite,postgres` with FAIRHIRE_TEST_POSTGRES_URL runs the whole
 * suite on both; the PostgreSQL projects are named `unit:postgres` and so on.
 */
const DIALECTS = (process.env.FAIRHIRE_TEST_DIALECTS ?? 'sqlite')
  .split(',')
  .map((d) => d.trim())
  .filter(Boolean)
for (const d of DIALECTS)
  if (d !== 'sqlite' && d !== 'postgres')
    throw new Error(`FAIRHIRE_TEST_DIALECTS: "${d}" is not an engine; expected sqlite, postgres or both`)

const kinds = [
  { name: 'unit', include: UNIT, exclude: [] as string[] },
  { name: 'integration', include: ['tests/**/*.test.ts'], exclude: [...UNIT, ...BROWSER] },
  { name: 'browser', include: BROWSER, exclude: [] as string[] },
]

export default defineConfig({
  test: {
    projects: DIALECTS.flatMap((dialect) =>
      kinds.map((k) => ({
        test: {
          ...shared,
          name: dialect === 'sqlite' ? k.name : `${k.name}:${dialect}`,
          include: k.include,
          exclude: k.exclude,
          env: { FAIRHIRE_TEST_DIALECT: dialect },
        },
      })),
    ),
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
    },
  },
})
