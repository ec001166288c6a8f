/**
 * Progress of long command-line work (an export of fifty thousand suppliers, a re-score): on a terminal, one line
 * on stderr that rewrites itself with the count, the rate and the time left; anywhere else (a pipe, a file, cron)
 * nothing at all, so logs and mailed cron output stay clean. stdout is left to the command's own output.
 */

/** The part of a stream the reporter uses; process.stderr in real use. */
export type ProgressStream = { isTTY?: boolean; columns?: number; write(chunk: string): unknown }

export type ProgressOptions = {
  /** What is being done, such as "exporting portfolio". */
  label: string
  /** What is counted, such as "suppliers". */
  unit: string
  total?: number | null
  stream?: ProgressStream
  /** Milliseconds; a clock for tests. */
  now?: () => number
  /** The line is redrawn at most this often. */
  intervalMs?: number
}

/** The rate is measured over this last stretch of time, so that it follows a run that speeds up or slows down. */
const WINDOW_MS = 10_000

export class Progress {
  private readonly tty: boolean
  private readonly stream: ProgressStream
  private readonly now: () => number
  private readonly intervalMs: number
  private readonly started: number
  private readonly samples: { t: number; done: number }[] = []
  private lastDraw = Number.NEGATIVE_INFINITY
  private done = 0
  private total: number | null
  private finished = false

  constructor(private readonly o: ProgressOptions) {
    this.stream = o.stream ?? process.stderr
    this.tty = this.stream.isTTY === true
    this.now = o.now ?? (() => performance.now())
    this.intervalMs = o.intervalMs ?? 100
    this.total = o.total ?? null
    this.started = this.now()
    this.samples.push({ t: this.started, done: 0 })
  }

  /** `done` so far, out of `total` when it is known (or has changed). */
  update(done: number, total?: number | null): void {
    if (this.finished) return
    this.done = done
    if (total !== undefined) this.total = total
    if (!this.tty) return
    const t = this.now()
    const last = this.samples[this.samples.length - 1]
    if (!last || t - last.t >= 250) this.samples.push({ t, done })
    while (this.samples.length > 2 && t - (this.samples[0]?.t ?? t) > WINDOW_MS) this.samples.shift()
    if (t - this.lastDraw < this.intervalMs) return
    this.lastDraw = t
    this.draw(this.line(t))
  }

  tick(n = 1): void {
    this.update(this.done + n)
  }

  /** Ends the line: on a terminal the last count, with the time taken, stays on screen. */
  finish(): void {
    if (this.finished) return
    this.finished = true
    if (!this.tty) return
    const elapsed = this.now() - this.started
    const rate = elapsed > 0 ? (this.done * 1000) / elapsed : 0
    const text = `${this.o.label}: ${count(this.done)} ${this.o.unit} in ${duration(elapsed)}${rate > 0 ? ` (${count(rate)}/s)` : ''}`
    this.stream.write(`\r\x1b[K${this.fit(text)}\n`)
  }

  /** The rate over the last WINDOW_MS, per second; null until there is enough to tell. */
  rate(t = this.now()): number | null {
    const first = this.samples[0]
    if (!first || t - first.t < 500) return null
    return ((this.done - first.done) * 1000) / (t - first.t)
  }

  line(t = this.now()): string {
    const parts = [
      `${this.o.label}: ${count(this.done)}${this.total !== null ? ` / ${count(this.total)}` : ''} ${this.o.unit}`,
    ]
    if (this.total) parts.push(`${((100 * Math.min(this.done, this.total)) / this.total).toFixed(1)}%`)
    const rate = this.rate(t)
    if (rate !== null) {
      parts.push(`${count(rate)}/s`)
      if (this.total !== null && rate > 0)
        parts.push(`${duration((Math.max(0, this.total - this.done) / rate) * 1000)} left`)
    }
    return parts.join('  ')
  }

  private fit(text: string): string {
    const width = this.stream.columns ?? 80
    return text.length < width ? text : `${text.slice(0, Math.max(0, width - 2))}…`
  }

  private draw(text: string): void {
    // Carriage return and clear-to-end: the line is rewritten in place.
    this.stream.write(`\r\x1b[K${this.fit(text)}`)
  }
}

export function progress(o: ProgressOptions): Progress {
  return new Progress(o)
}

const numbers = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 })
function count(n: number): string {
  return numbers.format(n)
}

/** 45s, 3m 05s, 1h 02m. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`
}
