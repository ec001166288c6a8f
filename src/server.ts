import { pathToFileURL } from 'node:url'
import { type BuildOptions, buildApp } from './app.ts'
import { type Config, ConfigError, loadConfig } from './config.ts'

/**
 * Starts the server and closes it gracefully on SIGINT/SIGTERM: stop accepting connections, let
 * in-flight requests finish, then close the database (the db plugin's onClose hook).
 */
export async function runServer(config: Config, options: BuildOptions = {}): Promise<void> {
  const app = await buildApp(config, options)
  // Timeouts keep a slow or stuck client from holding a connection forever.
  app.server.requestTimeout = 120_000
  app.server.headersTimeout = 30_000
  app.server.keepAliveTimeout = 5_000

  let closing = false
  const shutdown = (signal: string): void => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down: finishing in-flight requests')
    const force = setTimeout(() => {
      app.log.error('in-flight requests did not finish within 30 s; exiting')
      process.exit(1)
    }, 30_000)
    force.unref()
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'error while closing')
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))

  await app.listen({ port: config.port, host: config.host })
}

/** Reads the environment; a bad value prints one line per key and exits before anything is created. */
export function configOrExit(): Config {
  try {
    return loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`fairhire: cannot start.\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`)
      process.exit(2)
    }
    throw err
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Whatever the server creates (database, WAL, evidence, exports) is for this account only, including files
  // whose mode is not given explicitly where they are created.
  process.umask(0o077)
  runServer(configOrExit()).catch((err: unknown) => {
    process.stderr.write(`fairhire: failed to start: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
}
