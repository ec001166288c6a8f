import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The folder holding package.json, found from this file so it is the same under tsx, vitest and dist/. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url))
    dir = up
  }
  return dir
}

export const PROJECT_ROOT = findRoot()
export const VIEWS_DIR = join(PROJECT_ROOT, 'views')
export const ASSETS_DIR = join(PROJECT_ROOT, 'views', 'assets')
export const DEFAULT_QUESTIONNAIRES_DIR = join(PROJECT_ROOT, 'questionnaires')
