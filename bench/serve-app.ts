// The real server, as `npm start` runs it, for the HTTP benchmarks.
import { configOrExit, runServer } from '../src/server.ts'

await runServer(configOrExit(), { logger: false })
