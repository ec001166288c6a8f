import { Signer, type UnsignResult } from '@fastify/cookie'

/**
 * Cookie signatures, checked once per signed value. Every signed-in request carries two signed cookies
 * (the session and the CSRF secret), and an HMAC costs about 15 µs here: more than the rest of a small
 * request's own work. A value found valid is remembered by its whole signed text, so a changed value or
 * signature is always checked afresh; invalid ones are not remembered (junk cannot push valid ones out).
 */
export function cachingSigner(secret: string, max = 10_000): Pick<Signer, 'sign' | 'unsign'> {
  const signer = new Signer(secret, 'sha256')
  const valid = new Map<string, UnsignResult>()
  return {
    sign: (value: string): string => signer.sign(value),
    unsign(signed: string): UnsignResult {
      const hit = valid.get(signed)
      if (hit) return hit
      const result = signer.unsign(signed)
      if (result.valid) {
        valid.set(signed, result)
        if (valid.size > max) valid.delete(valid.keys().next().value as string)
      }
      return result
    },
  }
}
