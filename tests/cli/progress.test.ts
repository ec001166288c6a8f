import { describe, expect, it } from 'vitest'
import { duration, progress } from '../../src/cli/progress.ts'

/** A stream that records what is written, as a terminal (isTTY) or as a pipe. */
function stream(tty: boolean) {
  const written: string[] = []
  return { isTTY: tty, columns: 100, written, write: (s: string) => written.push(s) }
}

describe('command-line progress', () => {
  it('writes nothing at all when stderr is not a terminal', () => {
    const out = stream(false)
    let t = 0
    const bar = progress({ label: 'exporting portfolio', unit: 'suppliers', total: 50_000, stream: out, now: () => t })
    for (let i = 1; i <= 50_000; i += 500) {
      t += 100
      bar.update(i)
    }
    bar.finish()
    expect(out.written).toEqual([])
  })

  it('on a terminal, rewrites one line with the count, the share done, the rate and the time left', () => {
    const out = stream(true)
    let t = 0
    const bar = progress({ label: 'exporting portfolio', unit: 'suppliers', total: 10_000, stream: out, now: () => t })
    // 1,000 suppliers a second for two seconds.
    for (let i = 1; i <= 20; i++) {
      t += 100
      bar.update(i * 100)
    }
    const last = out.written.at(-1) ?? ''
    expect(last.startsWith('\r\x1b[K')).toBe(true)
    expect(last).not.toContain('\n')
    expect(last.slice(4)).toBe('exporting portfolio: 2,000 / 10,000 suppliers  20.0%  1,000/s  8s left')
    // Not redrawn more often than every 100 ms.
    const drawn = out.written.length
    bar.update(2_001)
    expect(out.written.length).toBe(drawn)
    t += 1500
    bar.update(3_500)
    bar.finish()
    expect(out.written.at(-1)).toBe('\r\x1b[Kexporting portfolio: 3,500 suppliers in 4s (1,000/s)\n')
    bar.update(9_999)
    expect(out.written.at(-1)).toBe('\r\x1b[Kexporting portfolio: 3,500 suppliers in 4s (1,000/s)\n')
  })

  it('shows no rate or time left before there is enough to tell, and no total when none is known', () => {
    const out = stream(true)
    let t = 0
    const bar = progress({ label: 're-scoring', unit: 'assessments', stream: out, now: () => t })
    t += 200
    bar.update(10)
    expect(out.written.at(-1)).toBe('\r\x1b[Kre-scoring: 10 assessments')
    t += 1000
    bar.update(70)
    expect(out.written.at(-1)).toBe('\r\x1b[Kre-scoring: 70 assessments  58/s')
  })

  it('fits the line to the terminal width', () => {
    const out = { ...stream(true), columns: 20 }
    const bar = progress({ label: 'a rather long label', unit: 'rows', total: 10, stream: out, now: () => 0 })
    bar.update(1)
    expect((out.written.at(-1) ?? '').slice(4)).toHaveLength(19)
  })

  it('writes durations the short way', () => {
    expect(duration(400)).toBe('0s')
    expect(duration(45_000)).toBe('45s')
    expect(duration(185_000)).toBe('3m 05s')
    expect(duration(3_720_000)).toBe('1h 02m')
  })
})
