import type { FastifyInstance } from 'fastify'
import type { Principal } from '../../src/access/principal.ts'
import { missingRequired, saveAnswers } from '../../src/assessment/answers.service.ts'
import { submitAssessment } from '../../src/assessment/submission.service.ts'
import { generateAssessment } from '../../src/demo/answers-generator.ts'
import type { RawAnswer } from '../../src/questionnaire/answers.ts'
import { compiledVersion, getQuestionnaireVersion } from '../../src/questionnaire/questionnaire.service.ts'
import { buildWorld } from './world.ts'

/** The shared test world, with supplier A's requested assessment answered in full and submitted (so it has scores). */
export async function submittedWorld(app: FastifyInstance) {
  const w = await buildWorld(app)
  await answerAndSubmit(app, w.principals.respA, w.assessments.requested, 7)
  return w
}

/** Generated answers, then the first acceptable answer to whatever required question is still open, then submit. */
export async function answerAndSubmit(app: FastifyInstance, p: Principal, id: number, seed: number): Promise<void> {
  await answerAll(app, p, id, seed)
  await submitAssessment(app.db, p, id)
}

/** Generated answers, then the first acceptable answer to whatever required question is still open: ready to submit. */
export async function answerAll(app: FastifyInstance, p: Principal, id: number, seed: number): Promise<void> {
  const cq = compiledVersion(await getQuestionnaireVersion(app.db, 'employer'))
  const answers = Object.fromEntries(generateAssessment(cq, seed).answers) as Record<string, RawAnswer>
  await saveAnswers(app.db, p, id, { answers })
  for (let round = 0; round < 3; round++) {
    const missing = await missingRequired(app.db, p, id)
    if (missing.length === 0) break
    const more: Record<string, RawAnswer> = {}
    for (const m of missing) {
      const e = cq.byId.get(m.question)
      if (!e) continue
      const q = e.question
      const first = e.choices.find((c) => c.dont_know) ?? e.choices[0]
      more[m.question] =
        q.type === 'multi'
          ? [(e.choices.find((c) => c.exclusive) ?? e.choices[0])?.id ?? '']
          : q.type === 'corridors'
            ? [`NP:1:${e.choices[0]?.id ?? ''}`]
            : first
              ? first.id
              : q.type === 'number'
                ? (q.min ?? 0)
                : q.type === 'date'
                  ? '2026-01-01'
                  : q.type === 'country'
                    ? 'TH'
                    : 'n/a'
    }
    await saveAnswers(app.db, p, id, { answers: more })
  }
}
