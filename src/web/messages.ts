/**
 * Interface text, one catalogue per language, so that translations can be added without touching the
 * templates. Questionnaire content carries its own translations in the YAML files.
 */
const en = {
  'answer.title': 'Answer',
  'answer.sections': 'Sections',
  'answer.progress': '{answered} of {applicable} questions answered',
  'answer.save': 'Save',
  'answer.saveNext': 'Save and continue',
  'answer.saved': 'Saved.',
  'answer.savedNothing': 'Nothing changed since the last save.',
  'answer.locked': 'This assessment is {status}: the answers are locked.',
  'answer.returnedOnly': 'The reviewer returned some answers. Only those can be changed; they are marked below.',
  'answer.guidance': 'Guidance, evidence and sources',
  'answer.typicalEvidence': 'Typical evidence',
  'answer.sources': 'Sources',
  'answer.comment': 'Comment (optional)',
  'answer.evidence': 'Attach evidence (PDF, image or office document, up to 10 MB)',
  'answer.evidenceFiles': 'Evidence attached',
  'answer.required': 'required',
  'answer.optional': 'optional',
  'answer.clear': 'No answer',
  'answer.conflict':
    'Someone else saved a different answer while you were working. Nothing was saved. Check both values, then save again.',
  'answer.conflictTheirs': 'Saved by someone else',
  'answer.conflictYours': 'Your answer (kept in the form)',
  'answer.errors': 'Some answers need a look. Nothing was saved; what you typed is kept.',
  'answer.returnedComment': 'Returned by the reviewer',
  'answer.review': 'Review and submit',
  'answer.notAsked': 'This section does not apply, given your earlier answers.',
  'submit.title': 'Review and submit',
  'submit.missing': 'These required questions are not answered yet. "Don\'t know" is always an allowed answer.',
  'submit.ready': 'Every required question is answered. Submitting locks the answers and computes the score.',
  'submit.button': 'Submit the assessment',
  'results.title': 'Results',
  'results.rating': 'Rating',
  'results.control': 'Control score by section',
  'results.inherent': 'Inherent risk from the context',
  'results.confidence': 'Confidence',
  'results.redFlags': 'Red flags',
  'results.gaps': 'Gaps and recommended actions',
  'results.actions': 'Corrective action plan',
  'results.noRedFlags': 'No red flag.',
  'results.caveat': 'These are indicators of forced-labour risk from a self-assessment, not findings of forced labour.',
  'action.owner': 'Owner',
  'action.due': 'Due date',
  'action.status': 'Status',
  'action.notes': 'Notes',
  'action.closing': 'Closing evidence',
  'action.save': 'Save action',
  'action.overdue': 'overdue',
  'review.title': 'Review',
  'review.accept': 'Accept',
  'review.verify': 'Mark verified',
  'review.return': 'Return',
  'review.method': 'Verified by',
  'review.comment': 'Comment (required to return)',
  'review.finish': 'Finish the review',
  'review.flag': 'Raise a suspected red flag',
  'review.flagReason': 'Why (inconsistent answers, information from workers, …)',
} as const

export type MessageKey = keyof typeof en
const catalogues: Record<string, Record<MessageKey, string>> = { en }

export function messages(lang = 'en'): (key: MessageKey, vars?: Record<string, string | number>) => string {
  const cat = catalogues[lang] ?? en
  return (key, vars) => {
    let s = cat[key] ?? en[key] ?? key
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v))
    return s
  }
}

/** Dates and numbers as the reader's language writes them. */
export function formatters(lang = 'en') {
  const date = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  })
  const num = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : lang, { maximumFractionDigits: 1 })
  return {
    date: (iso: string | null | undefined) =>
      iso ? date.format(new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso)) : '',
    number: (n: number | null | undefined) => (n === null || n === undefined ? '–' : num.format(n)),
  }
}
