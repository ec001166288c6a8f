import { type EventEmitter, once } from 'node:events'
import type ExcelJS from 'exceljs'

/**
 * Back-pressure for workbooks written with exceljs' streaming writer (the portfolio, the re-score's "what
 * changed" workbook): memory stays flat only if the writer now and then lets the zip and the destination catch up.
 */

export type Destination = NodeJS.WritableStream & { writableNeedDrain?: boolean; destroyed?: boolean }

/** Waits for "drain", and fails instead of waiting forever when the destination closes first. */
async function drained(out: Destination): Promise<void> {
  const ac = new AbortController()
  const emitter = out as unknown as EventEmitter
  try {
    await Promise.race([
      once(emitter, 'drain', { signal: ac.signal }),
      once(emitter, 'close', { signal: ac.signal }).then(() => {
        throw new Error('the destination closed before the spreadsheet was complete')
      }),
    ])
  } finally {
    ac.abort()
  }
}

/** Above this many bytes waiting to be zipped, the writer pauses until the zip catches up. */
const MAX_BACKLOG = 8 * 1024 * 1024

type StreamInternals = {
  stream?: { buffers?: { length: number }[]; pipes?: { _writableState?: { length?: number } }[] }
}

/**
 * Bytes of this sheet's XML that the zip has not compressed yet. exceljs hands its XML to the zip
 * without looking at back-pressure, so the queue has to be read from inside (exceljs 4.4 with archiver);
 * should those internals change, this reads 0 and the writer only yields, as it did before.
 */
function zipBacklog(ws: ExcelJS.Worksheet): number {
  const stream = (ws as unknown as StreamInternals).stream
  if (!stream) return 0
  let bytes = (stream.buffers?.length ?? 0) * 64 * 1024
  for (const pipe of stream.pipes ?? []) bytes += pipe._writableState?.length ?? 0
  return bytes
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Yields to the event loop now and then, and waits while the zip or the destination falls behind. */
export function pacer(out: Destination): (ws: ExcelJS.Worksheet) => Promise<void> {
  let n = 0
  return async (ws) => {
    // Without these pauses the compression and the destination never get a turn, and the whole
    // file would pile up in memory.
    if (++n % 200 !== 0) return
    await new Promise((resolve) => setImmediate(resolve))
    if (out.destroyed) throw new Error('the destination closed before the spreadsheet was complete')
    // Compression runs on another thread; a short sleep lets it catch up without spinning.
    while (zipBacklog(ws) > MAX_BACKLOG) await sleep(2)
    if (out.writableNeedDrain) await drained(out)
  }
}
