import type { Generated, Selectable } from 'kysely'

export interface QuestionnaireVersionTable {
  id: Generated<number>
  questionnaire_id: string
  /** 1, 2, 3… per questionnaire, in the order the versions were first loaded. */
  revision: number
  /** The `version` written in the file. */
  declared_version: string
  /** SHA-256 of the normalised definition: the identity of a version. */
  content_hash: string
  title: string
  /** The normalised definition as JSON. */
  definition: string
  source_file: string
  created_at: string
}

export interface QuestionnaireCurrentTable {
  questionnaire_id: string
  version_id: number
}

export type QuestionnaireVersionRow = Selectable<QuestionnaireVersionTable>
