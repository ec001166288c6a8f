import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { Config } from './config.ts'
import type { Mailer } from './mail/mailer.ts'
import authPlugin from './plugins/app/auth.ts'
import blobsPlugin from './plugins/app/blobs.ts'
import configPlugin from './plugins/app/config.ts'
import dbPlugin from './plugins/app/db.ts'
import errorsPlugin from './plugins/app/errors.ts'
import jobsPlugin, { type JobsPluginOptions } from './plugins/app/jobs.ts'
import jsonBodyPlugin from './plugins/app/json-body.ts'
import mailPlugin from './plugins/app/mail.ts'
import plainTextPlugin from './plugins/app/plain-text.ts'
import questionnairesPlugin from './plugins/app/questionnaires.ts'
import renderPlugin from './plugins/app/render.ts'
import formbodyPlugin from './plugins/external/formbody.ts'
import securityPlugin from './plugins/external/security.ts'
import staticPlugin from './plugins/external/static.ts'
import swaggerPlugin from './plugins/external/swagger.ts'
import viewPlugin from './plugins/external/view.ts'
import assessmentApi from './routes/api/assessments.ts'
import questionnaireApi from './routes/api/questionnaires.ts'
import scoreApi from './routes/api/score.ts'
import healthRoutes from './routes/health.ts'
import accessPages from './routes/pages/access.ts'
import answerPages from './routes/pages/answer.ts'
import assessmentPages from './routes/pages/assessments.ts'
import authPages from './routes/pages/auth.ts'
import exportRoutes from './routes/pages/exports.ts'
import homeRoutes from './routes/pages/home.ts'
import operatorPages from './routes/pages/operator.ts'
import portfolioPages from './routes/pages/portfolio.ts'
import portfolioExportRoutes from './routes/pages/portfolio-exports.ts'
import questionnairePages from './routes/pages/questionnaires.ts'
import resultPages from './routes/pages/results.ts'

export type App = FastifyInstance

export type RouteInfo = { method: string; url: string }

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, for the isolation test that walks them all. */
    routeTable: RouteInfo[]
  }
}

export type BuildOptions = {
  logger?: FastifyServerOptions['logger']
  /** Replaces the mailer (tests capture mail this way); null sends none, even when SMTP is configured. */
  mailer?: Mailer | null
  /** Extra routes registered after the application's own (used by tests and benchmarks). */
  extraRoutes?: (app: FastifyInstance) => Promise<void>
  /** Extra job handlers and worker settings (tests); whether the worker runs is the configuration's JOBS. */
  jobs?: JobsPluginOptions
}

/**
 * Builds the application without listening, so tests drive it through `inject`.
 * Plugins register in a fixed order: external, then the app's own decorators, then routes.
 */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    // Request ids appear in logs and on the 500 page, so a user's report can be matched to a log line.
    genReqId: () => crypto.randomUUID(),
    trustProxy: false,
  }).withTypeProvider<ZodTypeProvider>()
  const routeTable: RouteInfo[] = []
  app.decorate('routeTable', routeTable)
  app.addHook('onRoute', (r) => {
    for (const method of Array.isArray(r.method) ? r.method : [r.method]) routeTable.push({ method, url: r.url })
  })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)

  await app.register(configPlugin, { config })

  // external
  await app.register(formbodyPlugin)
  await app.register(securityPlugin)
  await app.register(viewPlugin)
  await app.register(staticPlugin)
  await app.register(swaggerPlugin)

  // app
  await app.register(errorsPlugin)
  await app.register(jsonBodyPlugin)
  await app.register(plainTextPlugin)
  await app.register(dbPlugin)
  await app.register(blobsPlugin)
  await app.register(questionnairesPlugin)
  await app.register(jobsPlugin, options.jobs ?? {})
  await app.register(authPlugin)
  await app.register(mailPlugin, { mailer: options.mailer })
  await app.register(renderPlugin)

  // routes
  await app.register(healthRoutes)
  await app.register(homeRoutes)
  await app.register(questionnairePages)
  await app.register(questionnaireApi)
  await app.register(authPages)
  await app.register(accessPages)
  await app.register(assessmentPages)
  await app.register(answerPages)
  await app.register(resultPages)
  await app.register(portfolioPages)
  await app.register(exportRoutes)
  await app.register(portfolioExportRoutes)
  await app.register(operatorPages)
  await app.register(assessmentApi)
  await app.register(scoreApi)
  if (options.extraRoutes) await app.register(options.extraRoutes)

  await app.ready()
  return app
}
