import multipart from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

/**
 * Section forms are multipart so that evidence files travel with the answers: a refused file then
 * refuses the whole save and the page comes back with everything typed still in it. The hard limit
 * is above the evidence limit so that the page, not a bare error, explains an oversized file.
 */
export const MULTIPART_HARD_LIMIT = 25 * 1024 * 1024

export default fp(
  async (app: FastifyInstance) => {
    await app.register(multipart, {
      attachFieldsToBody: true,
      limits: { fileSize: MULTIPART_HARD_LIMIT, files: 20, fields: 2000, fieldSize: 64 * 1024, parts: 2100 },
    })
  },
  { name: 'multipart' },
)
