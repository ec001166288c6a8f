import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULT_QUESTIONNAIRES_DIR } from '../../src/paths.ts'

/**
 * A copy of the shipped questionnaires folder whose current rubric is the archived 2026.1 one (and no archive),
 * for tests whose hand-made rubric changes were worked out against 2026.1: the re-score tests derive a stricter
 * rubric and count which ratings move. Made once per process; the folder is removed at exit.
 */
let dir: string | undefined

export function questionnairesWithRubric2026_1(): string {
  if (dir) return dir
  dir = mkdtempSync(join(tmpdir(), 'fairhire-rubric-2026-1-'))
  cpSync(DEFAULT_QUESTIONNAIRES_DIR, dir, { recursive: true })
  const archived = readFileSync(join(dir, 'rubrics', 'archive', 'default-2026.1.yaml'), 'utf8')
  writeFileSync(join(dir, 'rubrics', 'default.yaml'), archived.replaceAll('$file: ../data/', '$file: data/'))
  rmSync(join(dir, 'rubrics', 'archive'), { recursive: true })
  const made = dir
  process.on('exit', () => rmSync(made, { recursive: true, force: true }))
  return dir
}
