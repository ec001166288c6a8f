import { execFileSync, spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { PROJECT_ROOT } from '../src/paths.ts'
import { prepareDatabase } from './fixture.ts'
import type { BenchResult } from './report.ts'

/** From process start to a ready /readyz with the shipped questionnaires on a migrated database (built code, as npm start runs). */
export async function startupBench(quick: boolean): Promise<BenchResult> {
  // npm run bench builds first; a direct tsx run builds here.
  if (import.meta.url.endsWith('.ts'))
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: PROJECT_ROOT, stdio: 'ignore' })
  const fx = await prepareDatabase()
  const times: number[] = []
  try {
    for (let i = 0; i < (quick ? 2 : 5); i++) {
      const port = 44_000 + (process.pid % 500) + i
      const t0 = performance.now()
      const child = spawn(process.execPath, ['dist/src/server.js'], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, PORT: String(port), DATABASE_PATH: fx.dbPath, LOG_LEVEL: 'silent' },
        stdio: 'ignore',
      })
      let ready = false
      while (!ready && performance.now() - t0 < 20_000) {
        try {
          ready = (await fetch(`http://127.0.0.1:${port}/readyz`)).ok
        } catch {
          await new Promise((r) => setTimeout(r, 20))
        }
      }
      times.push(performance.now() - t0)
      child.kill('SIGTERM')
      await new Promise((r) => child.on('exit', r))
    }
  } finally {
    rmSync(fx.dir, { recursive: true, force: true })
  }
  times.sort((a, b) => a - b)
  const median = times[Math.floor(times.length / 2)] as number
  return {
    name: 'startup',
    description: 'process start to ready /readyz (built, migrated database, shipped questionnaires)',
    value: Math.round(median),
    unit: 'ms',
    goal: '<= 1500 ms',
    pass: median <= 1500,
    details: { runs: times.map(Math.round) },
  }
}
