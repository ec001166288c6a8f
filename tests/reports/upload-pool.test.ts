import ExcelJS from 'exceljs'
import { afterEach, describe, expect, it } from 'vitest'
import { checkXlsxUpload } from '../../src/reports/upload/limits.ts'
import { UploadBusy, UploadPool } from '../../src/reports/upload/pool.ts'

/**
 * The worker threads that read uploads: a reader that runs out of memory or time ends alone, the upload is
 * refused with the limit named, and the pool goes on reading; uploads beyond the workers and the queue are
 * refused at once.
 */

const expected = { assessmentId: 1, actions: [] }
const junk = { kind: 'action-plan' as const, data: Buffer.from('not a workbook'), expected }

/** Within the upload limits (4,900 rows and 49,000 cells a sheet), but heavy: exceljs needs about 60 MB for it. */
async function heavyWorkbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  for (const name of ['Action plan', 'More']) {
    const ws = wb.addWorksheet(name)
    for (let r = 1; r <= 4_900; r++) for (let c = 1; c <= 10; c++) ws.getCell(r, c).value = `t${r}-${c}`
  }
  return Buffer.from(await wb.xlsx.writeBuffer())
}

describe('upload pool', () => {
  const pools: UploadPool[] = []
  const pool = (options: ConstructorParameters<typeof UploadPool>[0]) => {
    const p = new UploadPool(options)
    pools.push(p)
    return p
  }
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()))
  })

  it('ends a worker that needs more memory than allowed, refuses that upload, and reads the next', {
    timeout: 120_000,
  }, async () => {
    const heavy = await heavyWorkbook()
    expect(() => checkXlsxUpload(heavy)).not.toThrow()
    const p = pool({ size: 1, queue: 1, timeoutMs: 60_000, memoryMb: 24, idleMs: 10_000 })
    await expect(p.run({ kind: 'action-plan', data: heavy, expected })).rejects.toMatchObject({
      name: 'UploadRejected',
      reason: 'too_much_memory',
      message: expect.stringMatching(/^Reading the workbook needed more than 24 MB of memory, .* Nothing was saved\.$/),
    })
    // A new worker takes the next upload.
    await expect(p.run(junk)).rejects.toMatchObject({ name: 'UploadRejected', reason: 'not_xlsx' })
  })

  it('ends a worker that takes longer than allowed, and refuses that upload naming the limit', {
    timeout: 120_000,
  }, async () => {
    const heavy = await heavyWorkbook()
    // The heavy workbook takes seconds; a tenth of a second is far below.
    const p = pool({ size: 1, queue: 1, timeoutMs: 100, memoryMb: 256, idleMs: 10_000 })
    await expect(p.run({ kind: 'action-plan', data: heavy, expected })).rejects.toMatchObject({
      name: 'UploadRejected',
      reason: 'too_slow',
      message: expect.stringMatching(/^Reading the workbook took longer than 0.1 seconds, /),
    })
  })

  it('takes as many uploads as it has workers and queue, and refuses the next at once', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ size: 1, queue: 1, timeoutMs: 60_000, memoryMb: 256, idleMs: 10_000 })
    const first = p.run(junk)
    const second = p.run(junk)
    await expect(p.run(junk)).rejects.toBeInstanceOf(UploadBusy)
    await expect(first).rejects.toMatchObject({ reason: 'not_xlsx' })
    await expect(second).rejects.toMatchObject({ reason: 'not_xlsx' })
    // Once they are read, there is room again.
    await expect(p.run(junk)).rejects.toMatchObject({ reason: 'not_xlsx' })
  })
})
