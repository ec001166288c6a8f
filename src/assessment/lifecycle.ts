/**
 * The life of an assessment, in one place: its statuses, the moves between them and what each status
 * allows. Pure: services ask here before they write, routes ask here for what a page offers, and templates
 * get the answers from their route (never a status written out). Who may make a move is sharing.policy's.
 *
 *   (request, self-check) → draft ─ submit ─→ submitted ─ finish review ─→ reviewed ⟲ (reviewed again)
 *                             │                  ↑    └──── finish review ──→ returned
 *                             │                  └──────── resubmit ─────────────┘
 *                             └─ decline (a request only) ─→ declined (nothing more happens to it)
 */

/** The schema's set (migrations/2026_12_03_1210_per_brand_review.ts checks the same list). */
export const ASSESSMENT_STATUSES = ['draft', 'submitted', 'returned', 'reviewed', 'declined'] as const
export type AssessmentStatus = (typeof ASSESSMENT_STATUSES)[number]

export type Transition = 'submit' | 'decline' | 'return' | 'review'

/** Where each move may start, and where it lands. */
const TRANSITIONS: Record<Transition, { from: readonly string[]; to: AssessmentStatus }> = {
  submit: { from: ['draft', 'returned'], to: 'submitted' },
  decline: { from: ['draft'], to: 'declined' },
  return: { from: ['submitted', 'reviewed'], to: 'returned' },
  review: { from: ['submitted', 'reviewed'], to: 'reviewed' },
}

export function canMove(status: string, move: Transition): boolean {
  return TRANSITIONS[move].from.includes(status)
}

/** The status a move lands on. */
export function target(move: Transition): AssessmentStatus {
  return TRANSITIONS[move].to
}

/** A declined request: nothing more happens to it. */
export function declined(status: string): boolean {
  return status === 'declined'
}

/** Answers and evidence change only while the respondent holds the assessment: a draft, or returned to it. */
export function openForAnswers(status: string): boolean {
  return status === 'draft' || status === 'returned'
}

/** Which answers the owner may change: all of a draft, the reopened ones of a returned assessment, else none. */
export function editableQuestions(status: string, reopened: Iterable<string>): Set<string> | 'all' | 'none' {
  if (status === 'draft') return 'all'
  if (status !== 'returned') return 'none'
  return new Set(reopened)
}

/** A returned assessment reopens only the answers sent back, and a new answer to one resolves the return. */
export function reopensReturnedOnly(status: string): boolean {
  return status === 'returned'
}

/** Statuses in which a brand reviews: the answers are locked and submitted. */
export function reviewOpen(status: string): boolean {
  return canMove(status, 'review')
}

/** What a brand's review queue lists: submitted at least once and not declined (returned ones too, to follow). */
export const QUEUED_STATUSES = ['submitted', 'returned', 'reviewed'] as const satisfies readonly AssessmentStatus[]

/**
 * Where a rubric change re-scores an assessment's latest scores: its answers are locked and were scored. A draft
 * or a returned assessment is not re-scored; its next submission is scored with the rubric current then.
 */
export const RESCORED_STATUSES = ['submitted', 'reviewed'] as const satisfies readonly AssessmentStatus[]

/** Sharing gives a brand submitted answers: never a draft, never a declined request. */
export function shareable(status: string): boolean {
  return (QUEUED_STATUSES as readonly string[]).includes(status)
}

/** A request can be declined while still a draft: after submitting, the brand has the answers. */
export function declinable(status: string): boolean {
  return canMove(status, 'decline')
}

/** Why a submission's score snapshot was taken. */
export function submissionReason(from: string): 'submitted' | 'resubmitted' {
  return from === 'returned' ? 'resubmitted' : 'submitted'
}

/** Where the requesting brand's finished review leaves the assessment: returned while any answer is sent back. */
export function afterReview(openReturns: number): Transition {
  return openReturns > 0 ? 'return' : 'review'
}
