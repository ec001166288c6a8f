/** A command of the `fairhire` tool. `run` returns the process exit code. */
export type Command = {
  name: string
  summary: string
  usage: string
  run: (args: string[]) => Promise<number>
}

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}
