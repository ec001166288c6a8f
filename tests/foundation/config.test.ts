import { describe, expect, it } from 'vitest'
import { ConfigError, parseEnv } from '../../src/config.ts'

function problems(env: Record<string, string>): string[] {
  try {
    parseEnv(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const c = parseEnv({})
    expect(c.PORT).toBe(3000)
    expect(c.HOST).toBe('127.0.0.1')
    expect(c.DATABASE_PATH).toBe('./data/fairhire.db')
    expect(c.LOG_LEVEL).toBe('info')
  })

  it('names PORT and says what is expected when it is not a port number', () => {
    expect(problems({ PORT: 'abc' })).toEqual(['PORT: expected a number from 1 to 65535'])
    expect(problems({ PORT: '70000' })).toEqual(['PORT: expected a number from 1 to 65535'])
    expect(problems({ PORT: '0' })).toEqual(['PORT: expected a number from 1 to 65535'])
  })

  it('reports one line per bad key', () => {
    const p = problems({ PORT: 'x', LOG_LEVEL: 'loud' })
    expect(p).toHaveLength(2)
    expect(p[0]).toMatch(/^PORT: /)
    expect(p[1]).toMatch(/^LOG_LEVEL: expected one of fatal, error/)
  })

  it('requires SESSION_SECRET in production', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'SESSION_SECRET: required when NODE_ENV=production (at least 32 characters)',
    ])
    expect(problems({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) })).toEqual([])
  })

  it('sends email only with a sender and a public address, and checks their form', () => {
    expect(problems({ SMTP_URL: 'smtp://mail.example.org:587' })).toEqual([
      'MAIL_FROM: required when SMTP_URL is set (the sender of invitation emails)',
      'PUBLIC_URL: required when SMTP_URL is set (the address mailed links point to)',
    ])
    expect(problems({ SMTP_URL: 'mail.example.org', PUBLIC_URL: 'https://x.example.org/app' })).toEqual([
      'SMTP_URL: expected smtp://user:password@host:port or smtps://…',
      'PUBLIC_URL: expected the address people use, such as https://fairhire.example.org (no path)',
    ])
    expect(
      problems({
        SMTP_URL: 'smtps://user:secret@mail.example.org:465',
        MAIL_FROM: 'Fairhire <no-reply@example.org>',
        PUBLIC_URL: 'https://fairhire.example.org',
      }),
    ).toEqual([])
  })

  it('chooses PostgreSQL with DATABASE_URL, and refuses it beside DATABASE_PATH, malformed, or without a shared secret', () => {
    const secret = { SESSION_SECRET: 'x'.repeat(40) }
    expect(problems({ ...secret, DATABASE_URL: 'postgres://app:pw@db.internal:5432/fairhire' })).toEqual([])
    expect(problems({ ...secret, DATABASE_URL: 'postgresql://db.internal/fairhire?sslmode=require' })).toEqual([])
    expect(
      problems({ ...secret, DATABASE_URL: 'postgres://db.internal/fairhire', DATABASE_PATH: './data/fairhire.db' }),
    ).toEqual([
      'DATABASE_URL and DATABASE_PATH are both set: set DATABASE_URL for PostgreSQL or DATABASE_PATH for SQLite, not both',
    ])
    expect(problems({ ...secret, DATABASE_URL: 'db.internal:5432' })).toEqual([
      'DATABASE_URL: is not a postgres:// address (expected postgres://user:password@host:5432/database; SQLite is chosen with DATABASE_PATH)',
    ])
    expect(problems({ ...secret, DATABASE_URL: 'not a url' })).toEqual([
      'DATABASE_URL: not an address (expected postgres://user:password@host:5432/database)',
    ])
    expect(problems({ ...secret, DATABASE_URL: 'mysql://app:pw@db/fairhire' })).toEqual([
      'DATABASE_URL: is not a postgres:// address (expected postgres://user:password@host:5432/database; SQLite is chosen with DATABASE_PATH)',
    ])
    expect(problems({ ...secret, DATABASE_URL: 'postgres://db.internal:5432/' })).toEqual([
      'DATABASE_URL: names no database (expected postgres://user:password@host:5432/database)',
    ])
    // The password in a bad address is never repeated.
    expect(problems({ ...secret, DATABASE_URL: 'postgres://app:hunter2@db.internal' }).join(' ')).not.toContain(
      'hunter2',
    )
    expect(problems({ DATABASE_URL: 'postgres://db.internal/fairhire' })).toEqual([
      'SESSION_SECRET: required with DATABASE_URL (every app process must sign sessions with the same secret; at least 32 characters)',
    ])
  })

  it('treats an empty variable as unset', () => {
    expect(parseEnv({ PORT: '' }).PORT).toBe(3000)
  })
})
