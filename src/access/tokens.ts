import { createHash, randomBytes } from 'node:crypto'

/** 256-bit random tokens for sessions, invitations and API keys; only their SHA-256 is stored. */
export function newToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url')
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
