import { join } from 'node:path'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../src/paths.ts'
import { loadQuestionnaireDir } from '../src/questionnaire/loader.ts'
import { compileQuestionnaire } from '../src/questionnaire/model.ts'
import { score } from '../src/scoring/engine.ts'
import { hashRubric, loadRubricFile } from '../src/scoring/rubric.loader.ts'
import { generateAssessment } from './generate.ts'
import type { BenchResult } from './report.ts'

/** Scoring throughput on one core: employer assessments scored per second over a varied data set. */
export async function scoringBench(quick: boolean): Promise<BenchResult> {
  const q = loadQuestionnaireDir(DEFAULT_QUESTIONNAIRES_DIR).find((x) => x.def.id === 'employer')
  if (!q) throw new Error('employer questionnaire missing')
  const cq = compileQuestionnaire(q.def)
  const rubric = loadRubricFile(join(DEFAULT_QUESTIONNAIRES_DIR, 'rubrics/default.yaml'))
  const rubricHash = hashRubric(rubric)
  const sets = Array.from({ length: 1000 }, (_, i) => generateAssessment(cq, 1000 + i))
  const once = (i: number) => {
    const s = sets[i % sets.length] as (typeof sets)[number]
    return score({
      questionnaire: cq,
      questionnaireHash: q.hash,
      rubric,
      rubricHash,
      answers: s.answers,
      evidence: s.evidence,
    })
  }
  // Warm-up lets the JIT settle before measuring.
  for (let i = 0; i < 3000; i++) once(i)
  const seconds = quick ? 1 : 5
  const rounds: number[] = []
  for (let round = 0; round < (quick ? 1 : 3); round++) {
    let n = 0
    const start = performance.now()
    while (performance.now() - start < (seconds * 1000) / (quick ? 1 : 3)) {
      for (let k = 0; k < 100; k++) once(n++)
    }
    rounds.push(n / ((performance.now() - start) / 1000))
  }
  const perSecond = Math.max(...rounds)
  const ratings: Record<string, number> = {}
  for (let i = 0; i < sets.length; i++) {
    const rating = once(i).rating
    ratings[rating] = (ratings[rating] ?? 0) + 1
  }
  return {
    name: 'scoring',
    description: 'employer assessments scored per second on one core',
    value: Math.round(perSecond),
    unit: 'assessments/s',
    goal: '>= 20000',
    pass: perSecond >= 20_000,
    details: { rounds: rounds.map(Math.round), dataSet: sets.length, ratings },
  }
}
