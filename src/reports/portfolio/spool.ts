import { once } from 'node:events'
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Records kept on disk until their worksheet's turn comes. A streamed workbook writes its sheets one
 * after another, but the later sheets need data from every supplier, so their rows wait as JSON lines
 * in a private temporary folder that is removed when the export ends.
 */

type Channel = { file: string; out: WriteStream }

export class Spool<Name extends string> {
  private constructor(
    private readonly dir: string,
    private readonly channels: Map<Name, Channel>,
  ) {}

  static async open<Name extends string>(names: readonly Name[]): Promise<Spool<Name>> {
    const dir = await mkdtemp(join(tmpdir(), 'fairhire-spool-'))
    const channels = new Map<Name, Channel>()
    for (const name of names) {
      const file = join(dir, `${name}.jsonl`)
      channels.set(name, { file, out: createWriteStream(file) })
    }
    return new Spool(dir, channels)
  }

  private channel(name: Name): Channel {
    const ch = this.channels.get(name)
    if (!ch) throw new Error(`no spool channel ${name}`)
    return ch
  }

  /** Waits when the disk falls behind, so the spool itself never grows in memory. */
  async put(name: Name, record: unknown): Promise<void> {
    const { out } = this.channel(name)
    if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain')
  }

  /** Ends writing; every channel can then be read. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.channels.values()].map(async ({ out }) => {
        out.end()
        if (!out.writableFinished) await once(out, 'finish')
      }),
    )
  }

  async *read(name: Name): AsyncGenerator<unknown> {
    const source = createReadStream(this.channel(name).file, { encoding: 'utf8' })
    let carry = ''
    for await (const chunk of source as AsyncIterable<string>) {
      const lines = (carry + chunk).split('\n')
      carry = lines.pop() ?? ''
      for (const line of lines) if (line) yield JSON.parse(line)
    }
    if (carry) yield JSON.parse(carry)
  }

  async dispose(): Promise<void> {
    for (const { out } of this.channels.values()) out.destroy()
    await rm(this.dir, { recursive: true, force: true })
  }
}

/**
 * Remembers rows that repeat. A gap row (question, answer, severity, recommended action…) depends only
 * on the question and the answer, so across thousands of suppliers there are a few hundred distinct
 * ones; spooling a number instead of the row keeps the spool ~50× smaller. The table is bounded: once
 * full, new rows are simply spooled in full.
 */
export class RowTable<Row extends unknown[]> {
  private readonly ids = new Map<string, number>()
  private readonly rows: Row[] = []
  private chars = 0

  constructor(private readonly maxChars = 8_000_000) {}

  /** A number standing for the row, or the row itself when the table is full. */
  ref(row: Row): number | Row {
    const key = JSON.stringify(row)
    const known = this.ids.get(key)
    if (known !== undefined) return known
    if (this.chars + key.length > this.maxChars) return row
    this.chars += key.length
    this.ids.set(key, this.rows.length)
    this.rows.push(row)
    return this.rows.length - 1
  }

  get(ref: number | Row): Row {
    return typeof ref === 'number' ? (this.rows[ref] as Row) : ref
  }
}
