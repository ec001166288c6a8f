import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { firstTextProblem } from '../../plain-text.ts'
import { HttpError } from './errors.ts'

/**
 * Every request body, whatever its type, is held to the one rule on text (src/plain-text.ts) before a route
 * sees it: a control character other than tab and line break is refused with a 400 naming the field. Form
 * and JSON bodies are parsed by preValidation; multipart bodies only by their own scope's preValidation
 * (see plugins/external/multipart.ts), so theirs are checked at preHandler.
 */
export default fp(
  async (app: FastifyInstance) => {
    const check = async (req: FastifyRequest) => {
      if (req.body === undefined || req.body === null) return
      const bad = firstTextProblem(req.body)
      if (bad) throw new HttpError(400, `${bad.field} ${bad.message}.`, [bad])
    }
    const isMultipart = (req: FastifyRequest) => (req.headers['content-type'] ?? '').includes('multipart/')
    app.addHook('preValidation', async (req) => {
      if (!isMultipart(req)) await check(req)
    })
    app.addHook('preHandler', async (req) => {
      if (isMultipart(req)) await check(req)
    })
  },
  { name: 'plain-text', dependencies: ['errors'] },
)
