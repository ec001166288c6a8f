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
  'tests/reports/cell-safety.test.ts',
  'tests/reports/gap-report.test.ts',
  'tests/reports/portfolio.test.ts',
  'tests/reports/questionnaire-workbook.test.ts',
  'tests/reports/upload-pool.test.ts',
  'tests/scoring/engine.test.ts',
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

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'unit', include: UNIT } },
      { test: { ...shared, name: 'integration', include: ['tests/**/*.test.ts'], exclude: [...UNIT, ...BROWSER] } },
      { test: { ...shared, name: 'browser', include: BROWSER } },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
    },
  },
})
