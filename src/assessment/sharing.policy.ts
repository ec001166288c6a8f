import type { Principal } from '../access/principal.ts'
import { declinable } from './lifecycle.ts'

/**
 * Who may see and do what on an assessment several brands can see: the rules of docs/sharing.md, in one
 * place. Pure: services and routes read the facts, ask here, and query with the scope they are given. What
 * each status allows, whoever asks, is lifecycle.ts's.
 *
 * The respondent's answers, evidence, self-assessed score and action plan are shared with every brand that
 * can see the assessment. Each brand's review (decisions, comments, verifications, suspected flags, the
 * reviewed score) is its own. Only the brand that requested the assessment moves its status.
 */

/** What the rules need to know of an assessment the caller can already see (repo.visibleTo). */
export type AssessmentFacts = { organisation_id: number; requested_by: number | null; status: string }
type Caller = Pick<Principal, 'organisationId'>

/** How the caller stands to the assessment: it answers it, it requested it, or it was shared it. */
export type Relation = 'owner' | 'requester' | 'shared'

export function relationOf(a: AssessmentFacts, p: Caller): Relation {
  if (a.organisation_id === p.organisationId) return 'owner'
  if (a.requested_by !== null && a.requested_by === p.organisationId) return 'requester'
  return 'shared'
}

// Reviews ------------------------------------------------------------------------------------------------

/** A brand other than the respondent reviews for itself: its own decisions, flags and score. */
export function mayReview(a: AssessmentFacts, p: Pick<Principal, 'organisationId' | 'organisationKind'>): boolean {
  return p.organisationKind === 'brand' && relationOf(a, p) !== 'owner'
}

/** Only the requesting brand's review moves the assessment (returned or reviewed); another brand's is its own. */
export function reviewMovesStatus(a: AssessmentFacts, p: Caller): boolean {
  return relationOf(a, p) === 'requester'
}

/**
 * Whose review a scored view uses: a brand scores with its own verifications and flags; the respondent
 * sees its self-assessed score (answers and evidence only). Null means self-assessed.
 */
export function reviewerFor(a: AssessmentFacts, p: Caller): number | null {
  return relationOf(a, p) === 'owner' ? null : p.organisationId
}

/** A score snapshot: the self-assessed ones are everyone's; a reviewed one only its brand's. */
export function snapshotVisible(
  a: AssessmentFacts,
  p: Caller,
  s: { reviewer_organisation_id: number | null },
): boolean {
  return s.reviewer_organisation_id === null || s.reviewer_organisation_id === reviewerFor(a, p)
}

/**
 * A review decision: a brand sees its own; the respondent sees what each brand returned or asked (addressed
 * to it), never a brand's private accept or verification marks.
 */
export function decisionVisible(
  a: AssessmentFacts,
  p: Caller,
  d: { organisation_id: number; decision: string },
): boolean {
  return relationOf(a, p) === 'owner' ? d.decision === 'returned' : d.organisation_id === p.organisationId
}

/** A returned answer reopens for the respondent only when the requesting brand returned it. */
export function decisionReopens(a: AssessmentFacts, d: { organisation_id: number; decision: string }): boolean {
  return d.decision === 'returned' && a.requested_by !== null && d.organisation_id === a.requested_by
}

/**
 * A suspected red flag is the raising brand's alone. The respondent never sees it: a suspicion often comes
 * from worker interviews, and showing it to the employer could expose the workers who spoke.
 */
export function flagVisible(a: AssessmentFacts, p: Caller, f: { organisation_id: number }): boolean {
  return relationOf(a, p) !== 'owner' && f.organisation_id === p.organisationId
}

/** The shared action plan: the respondent moves it along; only the requesting brand verifies or annotates it. */
export function mayFollowUpActions(a: AssessmentFacts, p: Caller): boolean {
  return relationOf(a, p) === 'requester'
}

/** Action notes hold the respondent's and the requesting brand's follow-up: not for another brand. */
export function actionNotesVisible(a: AssessmentFacts, p: Caller): boolean {
  return relationOf(a, p) !== 'shared'
}

// Access grants ------------------------------------------------------------------------------------------

/** A share grant is the respondent's to revoke; a request is not (it is declined instead). */
export function grantRevocable(kind: 'requested' | 'shared'): boolean {
  return kind === 'shared'
}

/** The respondent may decline a request while it is still a draft: after submitting, the brand has the answers. */
export function mayDecline(a: AssessmentFacts, p: Caller): boolean {
  return relationOf(a, p) === 'owner' && a.requested_by !== null && declinable(a.status)
}

/** The respondent sees every grant; a brand sees only its own, so it never learns of the other customers. */
export function grantVisible(a: AssessmentFacts, p: Caller, g: { organisation_id: number }): boolean {
  return relationOf(a, p) === 'owner' || g.organisation_id === p.organisationId
}

/** The requesting brand's name: for the respondent and that brand, not for a brand the assessment is shared with. */
export function requesterNameVisible(a: AssessmentFacts, p: Caller): boolean {
  return relationOf(a, p) !== 'shared'
}

/**
 * Titles of requests made before the rules were written ended in "(requested by <brand>)": a brand the
 * assessment is shared with sees the title without it.
 */
export function titleFor(a: AssessmentFacts & { title: string }, p: Caller, requesterName: string | null): string {
  if (requesterNameVisible(a, p) || !requesterName) return a.title
  const suffix = ` (requested by ${requesterName})`
  return a.title.endsWith(suffix) ? a.title.slice(0, -suffix.length) : a.title
}

// The audit trail ----------------------------------------------------------------------------------------

/**
 * An audit entry of the assessment: the respondent's administrators see all of it. A brand sees what the
 * respondent did and what it did itself, never another brand's entries (reviewer names, emails, comments);
 * of the respondent's grant changes, only those about itself. An entry without a known actor is hidden
 * from brands.
 */
export function auditEntryVisible(
  a: AssessmentFacts,
  p: Caller,
  e: { actor_organisation_id: number | null; entity: string; entity_id: string | null },
): boolean {
  if (relationOf(a, p) === 'owner') return true
  if (e.actor_organisation_id === p.organisationId) return true
  if (e.actor_organisation_id !== a.organisation_id) return false
  return e.entity !== 'assessment_access' || e.entity_id === String(p.organisationId)
}
