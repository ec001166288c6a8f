/** A refusal of the assessment services, with the HTTP status it maps to and the fields at fault. */
export class AssessmentError extends Error {
  constructor(
    message: string,
    readonly status = 400,
    readonly issues: { field: string; message: string }[] = [],
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'AssessmentError'
  }
}

/** A caller without access gets "not found", so the existence of other organisations' data is not revealed. */
export const notFound = () => new AssessmentError('Assessment not found.', 404)
