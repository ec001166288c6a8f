#!/usr/bin/env node
import { spawnSync } from 'node:child_process'
// `npm start` runs this before the server: it compiles only when a source changed since the last build.
// A full type-checking build takes seconds (half a minute on a busy machine), and a person starting the
// server should not wait for it when nothing changed. The fingerprint is the path, size and modification time
// of every input of the build; when it matches the one stored beside the output, the build is skipped.
// When it does not, tsc runs incrementally (its own build-info file also lives in dist/).
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const stampFile = join(root, 'dist', '.build-fingerprint')
/** What tsconfig.build.json compiles, the configuration itself and the installed packages' lock. */
const inputs = ['src', 'migrations', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json']

function* files(path) {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (!stat) return
  if (!stat.isDirectory()) {
    yield [relative(root, path), stat.size, stat.mtimeMs]
    return
  }
  for (const entry of readdirSync(path).sort()) yield* files(join(path, entry))
}

function fingerprint() {
  const hash = createHash('sha256')
  for (const input of inputs) for (const file of files(join(root, input))) hash.update(`${file.join('\t')}\n`)
  return hash.digest('hex')
}

const now = fingerprint()
const built = existsSync(join(root, 'dist', 'src', 'server.js'))
if (built && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === now) process.exit(0)

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc')
const result = spawnSync(
  process.execPath,
  [tsc, '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'],
  { cwd: root, stdio: 'inherit' },
)
if (result.status !== 0) process.exit(result.status ?? 1)
writeFileSync(stampFile, now)
