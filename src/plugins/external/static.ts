import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ASSETS_DIR } from '../../paths.ts'

/** CSS, scripts and icons from views/assets, served locally so the app works offline (no CDN). */
export default fp(
  async (app: FastifyInstance) => {
    await app.register(fastifyStatic, {
      root: ASSETS_DIR,
      prefix: '/assets/',
      // Asset URLs carry a version query (?v=) so they can be cached for a day without going stale for long.
      maxAge: '1d',
      immutable: false,
      index: false,
      decorateReply: true,
    })
  },
  { name: 'static' },
)
