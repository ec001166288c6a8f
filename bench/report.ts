export type BenchResult = {
  name: string
  description: string
  value: number
  unit: string
  goal: string
  pass: boolean
  details?: Record<string, unknown>
}
