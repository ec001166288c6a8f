import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { jsonSchemaTransform } from 'fastify-type-provider-zod'

/** OpenAPI for /api/v1, generated from the zod schemas on each route and served at /docs. */
export default fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'Fairhire API',
          description: 'Questionnaires, scoring and assessments for responsible recruitment due diligence.',
          version: '1',
        },
        components: {
          securitySchemes: {
            bearer: {
              type: 'http',
              scheme: 'bearer',
              description: 'An API token created by an administrator under API tokens.',
            },
          },
        },
      },
      transform: jsonSchemaTransform,
      // Only the JSON API is documented; HTML pages are not an integration surface.
      hideUntagged: true,
    })
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  },
  { name: 'swagger' },
)
