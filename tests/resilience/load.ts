import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { expect } from 'vitest'
import type { DatabaseTarget } from '../../src/config.ts'
import { openDatabase } from '../../src/db/connection.ts'
import type { Database } from '../../src/db/database.ts'
import { waitForOtherSessions } from '../helpers/db-state.ts'

/**
 * Number questions of the employer questionnaire with a lower bound and no upper one: each load loop
 * owns one and saves 1, 2, 3… into it, so a stored value tells exactly which save it came from.
 */
export const LOAD_QUESTIONS = ['A0.3', 'A0.3b', 'A0.3c', 'A0.3d', 'A0.3e', 'A0.6', 'A0.8b', 'A9.9'] as const

export type SaveResult = { status: number; body: string }
/** Saves one answer; rejects when the connection fails (the server died). */
export type Saver = (question: string, value: number) => Promise<SaveResult>

/**
 * Concurrent answer saves, one loop per question, each waiting for its previous save. Because a loop
 * never has more than one save in flight, the stored value of its question can only be the last
 * acknowledged one or the one after it.
 */
export class SaveLoad {
  readonly acked: Record<string, number> = {}
  readonly sent: Record<string, number> = {}
  /** Answers that were neither a 2xx nor a dropped connection: always a failure of the test. */
  readonly refused: string[] = []
  readonly connectionErrors: string[] = []
  private stopping = false
  private loops: Promise<void>[] = []

  constructor(
    private readonly save: Saver,
    readonly questions: readonly string[] = LOAD_QUESTIONS,
  ) {
    for (const q of questions) {
      this.acked[q] = 0
      this.sent[q] = 0
    }
  }

  get total(): number {
    return Object.values(this.acked).reduce((a, b) => a + b, 0)
  }

  start(): void {
    this.loops = this.questions.map((q) => this.loop(q))
  }

  private async loop(q: string): Promise<void> {
    while (!this.stopping) {
      const value = (this.sent[q] as number) + 1
      this.sent[q] = value
      let res: SaveResult
      try {
        res = await this.save(q, value)
      } catch (err) {
        this.connectionErrors.push(`${q}=${value}: ${err instanceof Error ? err.message : String(err)}`)
        return
      }
      if (res.status < 200 || res.status > 299) {
        this.refused.push(`${q}=${value}: ${res.status} ${res.body.slice(0, 300)}`)
        return
      }
      // The answer's version counts its changes, and every save here is a change.
      expect(JSON.parse(res.body).versions[q]).toBe(value)
      this.acked[q] = value
    }
  }

  /** Resolves once `acks` saves were acknowledged, or after `ms` (whichever comes first). */
  async waitFor(acks: number, ms: number): Promise<void> {
    const until = Date.now() + ms
    while (this.total < acks && Date.now() < until && this.refused.length === 0) {
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  /** Stops the loops after their current save and waits for them. */
  async stop(): Promise<void> {
    this.stopping = true
    await Promise.all(this.loops)
  }

  /** Waits for every loop to end by itself (after the server was killed). */
  async ended(): Promise<void> {
    await Promise.all(this.loops)
  }
}

/** A saver over real HTTP with an API token, bounded so that a hung server cannot hang the test. */
export function httpSaver(baseUrl: string, token: string, assessmentId: number): Saver {
  return async (question, value) => {
    const res = await fetch(`${baseUrl}/api/v1/assessments/${assessmentId}/answers`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { [question]: value } }),
      signal: AbortSignal.timeout(10_000),
    })
    return { status: res.status, body: await res.text() }
  }
}

export type StoredState = { values: Record<string, unknown>; versions: Record<string, number>; revision: number }

/**
 * Opens the database and checks what no crash may break: SQLite's own integrity and foreign keys (on a
 * file), every stored answer parses, and the assessment agrees with its audit log. Each save is one
 * transaction that bumps the answer's version and the assessment's revision and appends one audit entry per
 * changed answer; with one answer per save (as SaveLoad does), a save half-applied breaks one of the
 * equalities.
 */
export async function checkDatabase(target: DatabaseTarget, assessmentId: number): Promise<StoredState> {
  // SQLite: read-only, as the crash or the backup left the file (opening it as the app does would turn a
  // snapshot into a WAL database).
  const file = target.engine === 'sqlite' ? new SQLite(target.path, { readonly: true, fileMustExist: true }) : null
  const opened = file
    ? { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) }), sqlite: file }
    : openDatabase(target, { poolMax: 1 })
  const db = opened.db
  try {
    await waitForOtherSessions(db)
    if (opened.sqlite) {
      expect(opened.sqlite.pragma('integrity_check', { simple: true })).toBe('ok')
      expect(opened.sqlite.pragma('foreign_key_check')).toEqual([])
    }
    const rows = await db.selectFrom('answer').select(['assessment_id', 'question_id', 'value', 'version']).execute()
    for (const r of rows) if (r.value !== null) expect(() => JSON.parse(r.value as string), r.question_id).not.toThrow()
    const mine = rows.filter((r) => r.assessment_id === assessmentId)
    const audit = await db
      .selectFrom('audit_log')
      .select(['entity_id', 'new_value'])
      .where('assessment_id', '=', assessmentId)
      .where('action', '=', 'answer')
      .orderBy('id')
      .execute()
    const { revision } = await db
      .selectFrom('assessment')
      .select('revision')
      .where('id', '=', assessmentId)
      .executeTakeFirstOrThrow()
    expect(mine.reduce((n, r) => n + r.version, 0)).toBe(audit.length)
    expect(revision).toBe(audit.length)
    // The last audit entry of each question holds the value that is stored.
    const lastLogged = new Map(
      audit.map((a) => [a.entity_id, (JSON.parse(a.new_value ?? 'null') as { value: unknown }).value]),
    )
    const values: Record<string, unknown> = {}
    const versions: Record<string, number> = {}
    for (const r of mine) {
      values[r.question_id] = r.value === null ? null : JSON.parse(r.value)
      versions[r.question_id] = r.version
      expect(lastLogged.get(r.question_id), r.question_id).toEqual(values[r.question_id])
    }
    return { values, versions, revision }
  } finally {
    await db.destroy()
  }
}
