import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, join, relative } from 'node:path'
import { isNode, LineCounter, parseDocument } from 'yaml'
import { contentRules } from './content-rules.ts'
import { QuestionnaireFile } from './questionnaire.schema.ts'
import { type Finding, formatPath, type Path, validateQuestionnaire } from './questionnaire.validate.ts'
import { compareVersions } from './version-compare.ts'

/**
 * Reads questionnaire YAML files and turns every problem into a message naming the file, the line,
 * the path inside the file (sections[3].questions[2].choices[1].credit) and what is wrong.
 */

export type FileFinding = Finding & { file: string; line?: number }

export type LoadedQuestionnaire = {
  file: string
  def: QuestionnaireFile
  /** SHA-256 of the normalised definition: comments and formatting do not make a new version. */
  hash: string
  warnings: FileFinding[]
}

export type LoadResult =
  | { ok: true; value: LoadedQuestionnaire }
  | { ok: false; errors: FileFinding[]; warnings: FileFinding[] }

export function formatFinding(f: FileFinding): string {
  const where = f.line ? `${f.file}:${f.line}` : f.file
  const path = f.path.length ? ` ${formatPath(f.path)}:` : ''
  return `${where}:${path} ${f.message}`
}

export function hashDefinition(def: QuestionnaireFile): string {
  return createHash('sha256').update(JSON.stringify(def)).digest('hex')
}

export function loadQuestionnaireText(
  text: string,
  file: string,
  options: { contentRules?: boolean } = {},
): LoadResult {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true })
  if (doc.errors.length > 0) {
    return {
      ok: false,
      warnings: [],
      errors: doc.errors.map((e) => ({
        level: 'error',
        file,
        line: e.linePos?.[0]?.line,
        path: [],
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      })),
    }
  }
  const lineOf = (path: Path): number | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true)
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line
    }
    return undefined
  }
  const locate = (f: Finding): FileFinding => ({ ...f, file, line: lineOf(f.path) })

  let raw: unknown
  try {
    raw = doc.toJS({ maxAliasCount: 10_000 })
  } catch (err) {
    return { ok: false, warnings: [], errors: [{ level: 'error', file, path: [], message: (err as Error).message }] }
  }
  const parsed = QuestionnaireFile.safeParse(raw)
  if (!parsed.success) {
    return {
      ok: false,
      warnings: [],
      errors: parsed.error.issues.map((i) => locate({ level: 'error', path: i.path as Path, message: i.message })),
    }
  }
  const findings = validateQuestionnaire(parsed.data)
  if (options.contentRules) findings.push(...contentRules(parsed.data))
  const errors = findings.filter((f) => f.level === 'error').map(locate)
  const warnings = findings.filter((f) => f.level === 'warning').map(locate)
  if (errors.length > 0) return { ok: false, errors, warnings }
  return { ok: true, value: { file, def: parsed.data, hash: hashDefinition(parsed.data), warnings } }
}

export function loadQuestionnaireFile(
  path: string,
  options: { contentRules?: boolean; root?: string } = {},
): LoadResult {
  const shown = options.root ? relative(options.root, path) || basename(path) : path
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    return {
      ok: false,
      warnings: [],
      errors: [{ level: 'error', file: shown, path: [], message: `cannot read: ${(err as Error).message}` }],
    }
  }
  return loadQuestionnaireText(text, shown, options)
}

/** The questionnaire files of a folder (its own *.yaml files; sub-folders such as rubrics/ are not questionnaires). */
export function questionnaireFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && /\.ya?ml$/.test(d.name))
    .map((d) => join(dir, d.name))
    .sort()
}

export class QuestionnaireLoadError extends Error {
  constructor(readonly errors: FileFinding[]) {
    super(`questionnaires are invalid:\n${errors.map((e) => `  ${formatFinding(e)}`).join('\n')}`)
    this.name = 'QuestionnaireLoadError'
  }
}

/** Loads every file of the folder; any error in any file fails the whole load. */
export function loadQuestionnaireDir(dir: string, options: { contentRules?: boolean } = {}): LoadedQuestionnaire[] {
  const loaded: LoadedQuestionnaire[] = []
  const errors: FileFinding[] = []
  const seen = new Map<string, string>()
  for (const path of questionnaireFiles(dir)) {
    const r = loadQuestionnaireFile(path, { ...options, root: dir })
    if (!r.ok) {
      errors.push(...r.errors)
      continue
    }
    const other = seen.get(r.value.def.id)
    if (other) {
      errors.push({
        level: 'error',
        file: r.value.file,
        path: ['id'],
        line: 1,
        message: `questionnaire id "${r.value.def.id}" is also used by ${other}`,
      })
      continue
    }
    seen.set(r.value.def.id, r.value.file)
    loaded.push(r.value)
  }
  if (errors.length > 0) throw new QuestionnaireLoadError(errors)
  return loaded
}

/**
 * The archived versions kept in `<dir>/archive/` (employer-2026.1.yaml …): earlier versions that stay loadable
 * after the current file moved on. Loaded without the content rules, which describe what current versions
 * must cover.
 */
export function loadArchivedQuestionnaires(dir: string): LoadedQuestionnaire[] {
  const archive = join(dir, 'archive')
  if (!existsSync(archive)) return []
  const loaded: LoadedQuestionnaire[] = []
  const errors: FileFinding[] = []
  for (const path of questionnaireFiles(archive)) {
    const r = loadQuestionnaireFile(path, { root: dir })
    if (r.ok) loaded.push(r.value)
    else errors.push(...r.errors)
  }
  if (errors.length > 0) throw new QuestionnaireLoadError(errors)
  // Oldest first, so that revisions follow the versions on a fresh install.
  return loaded.sort((a, b) => compareVersions(a.def.version, b.def.version) || a.def.id.localeCompare(b.def.id))
}
