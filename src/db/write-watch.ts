import type {
  KyselyPlugin,
  OperationNode,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryId,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely'

type Listener = { tables: ReadonlySet<string>; onWrite: () => void }

/**
 * Tells in-memory caches that a table they copy is written through Kysely. Listeners hear it before the
 * statement runs and again after it ran, so a copy read in between (by a synchronous raw read) is dropped
 * as well. A write inside a transaction is heard before its COMMIT; raw reads wait for an open transaction
 * to end (see raw.ts), so nothing read before the COMMIT outlives it.
 */
export class WriteWatch implements KyselyPlugin {
  private readonly listeners: Listener[] = []
  private readonly pending = new WeakMap<QueryId, Listener[]>()

  on(tables: string[], onWrite: () => void): void {
    this.listeners.push({ tables: new Set(tables), onWrite })
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const hit = this.listenersOf(args.node)
    if (hit.length > 0) {
      for (const l of hit) l.onWrite()
      this.pending.set(args.queryId, hit)
    }
    return args.node
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const hit = this.pending.get(args.queryId)
    if (hit) {
      this.pending.delete(args.queryId)
      for (const l of hit) l.onWrite()
    }
    return args.result
  }

  private listenersOf(node: RootOperationNode): Listener[] {
    if (this.listeners.length === 0) return []
    const target =
      node.kind === 'InsertQueryNode'
        ? node.into
        : node.kind === 'UpdateQueryNode'
          ? node.table
          : node.kind === 'DeleteQueryNode'
            ? node.from
            : undefined
    if (!target) return []
    const tables = new Set<string>()
    collectTables(target, tables)
    return this.listeners.filter((l) => [...tables].some((t) => l.tables.has(t)))
  }
}

/** Table names under a node (a table, an aliased table, a FROM list). */
function collectTables(node: OperationNode, out: Set<string>): void {
  const n = node as OperationNode & Record<string, unknown>
  if (n.kind === 'TableNode') {
    const name = (n.table as { identifier?: { name?: string } } | undefined)?.identifier?.name
    if (name) out.add(name)
    return
  }
  for (const v of Object.values(n)) {
    for (const x of Array.isArray(v) ? v : [v])
      if (x && typeof x === 'object' && 'kind' in x) collectTables(x as OperationNode, out)
  }
}
