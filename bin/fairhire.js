#!/usr/bin/env node
// Runs the command-line tool from a checkout: TypeScript sources through tsx, so it never runs stale code.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli.ts')
