import multipart from '@fastify/multipart'
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'

/**
 * Section forms are multipart so that evidence files travel with the answers: a refused file then
 * refuses the whole save and the page comes back with everything typed still in it. The hard limit
 * is above the evidence limit so that the page, not a bare error, explains an oversized file.
 */
export const MULTIPART_HARD_LIMIT = 25 * 1024 * 1024

type ZodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>

/**
 * The routes that take uploads, in a scope of their own with the multipart parser: its hooks run on every
 * request they cover, so the other routes do not carry them. The CSRF check of these routes runs once
 * the form is parsed (see the auth plugin).
 */
export async function uploadRoutes(app: FastifyInstance, routes: (scope: ZodApp) => void): Promise<void> {
  await app.register(async (scope) => {
    await scope.register(multipart, {
      attachFieldsToBody: true,
      limits: { fileSize: MULTIPART_HARD_LIMIT, files: 20, fields: 2000, fieldSize: 64 * 1024, parts: 2100 },
    })
    routes(scope.withTypeProvider<ZodTypeProvider>())
  })
}
