import type { Kysely } from 'kysely'
import type { Principal } from '../access/principal.ts'
import type { Database } from '../db/database.ts'
import type { QuestionnaireVersion } from '../questionnaire/questionnaire.service.ts'
import { t } from '../questionnaire/text.ts'
import type { PortfolioRow } from '../reports/portfolio/write.ts'
import { portfolioStream } from './portfolio.service.ts'

/** The portfolio rows in the shape the spreadsheet writer takes: the same stream the page reads. */
export async function* portfolioRows(db: Kysely<Database>, p: Principal): AsyncGenerator<PortfolioRow> {
  for await (const e of portfolioStream(db, p)) {
    yield {
      supplier: {
        code: e.supplier.code,
        name: e.supplier.name,
        country: e.supplier.country,
        sector: e.supplier.sector,
      },
      assessment: e.assessment
        ? {
            id: e.assessment.id,
            questionnaire: e.assessment.questionnaire,
            version: e.assessment.version,
            status: e.assessment.status,
            submittedAt: e.assessment.submittedAt,
            reviewedAt: e.assessment.reviewedAt,
          }
        : null,
      result: e.result,
      openActions: e.openActions,
      overdueActions: e.overdueActions,
    }
  }
}

/** Heat-map columns: the scored sections of the employer questionnaire. */
export function employerSections(v: QuestionnaireVersion): { id: string; title: string }[] {
  return v.def.sections.filter((s) => !s.profile).map((s) => ({ id: s.id, title: t(s.title) }))
}
