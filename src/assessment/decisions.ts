/** Which review decision is current: pure, for the review service and the answer pages alike. */

/** The current decision per question: the last one made (rows of one brand). */
export function latestDecisions<R extends { question_id: string }>(rows: R[]): Map<string, R> {
  const latest = new Map<string, R>()
  for (const r of rows) latest.set(r.question_id, r)
  return latest
}

/** The current decision per question and brand, in the order they were made. */
export function currentDecisions<R extends { question_id: string; organisation_id: number }>(rows: R[]): R[] {
  const latest = new Map<string, R>()
  for (const r of rows) latest.set(`${r.organisation_id}\u0000${r.question_id}`, r)
  return [...latest.values()]
}
