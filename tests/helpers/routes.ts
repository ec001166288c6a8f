import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../../src/paths.ts'
import { loadQuestionnaireText } from '../../src/questionnaire/loader.ts'
import { type CompiledQuestionnaire, compileQuestionnaire } from '../../src/questionnaire/model.ts'

/**
 * The employer and recruiter questionnaires with the 2026.2 profile questions the inherent-risk stage reads: internal
 * migrants and migration routes (`corridors`), and a recruiter's routes with destinations and its sectors placed.
 * Where the shipped file has them already it is used as it is; otherwise they are added here as the 2026.2
 * questionnaires define them (employer: A0.3c counts internal migrants and A0.4 lists routes with the channels of
 * A0.5; recruiter: B0.8 lists routes with the fee band workers paid, B0.9 the sectors placed), so that these tests
 * do not depend on which branch's questionnaire content is present.
 */

type RawQuestion = Record<string, unknown> & { id: string; profile?: string; choices?: unknown[] }
type RawFile = { sections: { questions: RawQuestion[] }[] }

export const FEE_BANDS = ['none', 'under_1_month', 'one_to_3_months', 'over_3_months', 'dont_know'] as const

export function routesYaml(id: 'employer' | 'recruiter'): string {
  const text = readFileSync(join(DEFAULT_QUESTIONNAIRES_DIR, `${id}.yaml`), 'utf8')
  const raw = parse(text) as RawFile
  const questions = raw.sections.flatMap((s) => s.questions)
  const byId = (q: string) => questions.find((x) => x.id === q) as RawQuestion
  if (questions.some((q) => q.profile === 'corridors')) return text
  if (id === 'employer') {
    Object.assign(byId('A0.3c'), { profile: 'internal_migrants' })
    const a04 = byId('A0.4')
    for (const k of Object.keys(a04)) delete a04[k]
    Object.assign(a04, {
      id: 'A0.4',
      type: 'corridors',
      profile: 'corridors',
      required: false,
      text: 'From which countries did your migrant workers come, how many from each, and through which channel?',
      help: 'One row per home country and channel. Internal migrants: the site’s own country.',
      choices: structuredClone(byId('A0.5').choices),
    })
  } else {
    const b08 = byId('B0.8')
    for (const k of Object.keys(b08)) delete b08[k]
    Object.assign(b08, {
      id: 'B0.8',
      type: 'corridors',
      profile: 'corridors',
      corridor_destination: true,
      required: false,
      text: 'On which routes did you place workers in the last 12 months, how many, and what did they pay?',
      choices: [
        { id: 'none', label: 'Workers paid nothing' },
        { id: 'under_1_month', label: 'Less than one month’s wage' },
        { id: 'one_to_3_months', label: 'One to three months’ wages' },
        { id: 'over_3_months', label: 'More than three months’ wages' },
        { id: 'dont_know', label: 'Don’t know', dont_know: true },
      ],
    })
    Object.assign(byId('B0.9'), { profile: 'sectors_placed' })
  }
  return stringify(raw)
}

export function routesQuestionnaire(id: 'employer' | 'recruiter'): { cq: CompiledQuestionnaire; hash: string } {
  const loaded = loadQuestionnaireText(routesYaml(id), `${id}.yaml`)
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('; '))
  return { cq: compileQuestionnaire(loaded.value.def), hash: loaded.value.hash }
}
