/**
 * Interface text, one catalogue per language, so that translations can be added without touching the
 * templates. Questionnaire content carries its own translations in the YAML files.
 *
 * Keys are grouped by page. `{name}` is replaced by the value given for `name`. Keys ending in `Html` hold
 * a little markup (links, emphasis): templates print them with `m.html`, which escapes every value.
 * The label groups at the end (`status.*`, `role.*`, …) name the codes stored in the database; templates
 * look them up as `m('status.' + code)`.
 */
const en = {
  // Every page: header, navigation, footer.
  'layout.skip': 'Skip to content',
  'layout.password': 'Password',
  'layout.signOut': 'Sign out',
  'layout.footer':
    'Fairhire shows indicators of forced-labour risk from self-assessment answers. It does not establish that forced labour exists.',
  'nav.label': 'Main',
  'nav.portfolio': 'Portfolio',
  'nav.reviews': 'Reviews',
  'nav.suppliers': 'Suppliers',
  'nav.assessments': 'Assessments',
  'nav.questionnaires': 'Questionnaires',
  'nav.invitations': 'Invitations',
  'nav.people': 'People',
  'nav.tokens': 'API tokens',
  'nav.audit': 'Audit log',
  'nav.signIn': 'Sign in',

  // Values shared by several forms.
  'common.minLength': 'At least {min} characters.',

  'home.title': 'Responsible recruitment due diligence',
  'home.lead':
    'Fairhire helps employers, labour recruiters and brands check how migrant workers are recruited and employed: recruitment fees, contracts, identity documents, wages, housing, grievance and remedy.',
  'home.assess': 'Self-assess',
  'home.assessText':
    "Answer a questionnaire built on the ILO fair recruitment principles, the IRIS Standard and IOM's guidance for employers.",
  'home.risk': 'See the risk',
  'home.riskText': "Scores per theme, red flags that no average can hide, and a rating that weighs the site's context.",
  'home.act': 'Act',
  'home.actText': 'A gap report with a corrective action plan, and portfolio spreadsheets for brands.',
  'home.browse': 'Browse the questionnaires',
  'home.operator': 'Re-scoring (platform operators)',

  'error.back': 'Back to the start page',
  'error.reference': 'Reference',

  'auth.signIn': 'Sign in',
  'auth.email': 'Email address',
  'auth.password': 'Password',
  'auth.name': 'Your name',
  'auth.noAccount': 'No account? Ask the organisation that works with you for an invitation link.',
  'auth.change.title': 'Change your password',
  'auth.change.lead': 'Changing your password signs you out everywhere, on every device.',
  'auth.change.current': 'Current password',
  'auth.change.new': 'New password',
  'auth.change.submit': 'Change password',
  'auth.setup.title': 'Set up Fairhire',
  'auth.setup.lead': 'This database is empty. Create your organisation and its first administrator.',
  'auth.setup.organisation': 'Organisation name',
  'auth.setup.kind': 'Your organisation is',
  'auth.setup.kindBrand': 'a brand or buyer',
  'auth.setup.kindSupplier': 'a supplier site (employer)',
  'auth.setup.kindRecruiter': 'a labour recruiter',
  'auth.setup.submit': 'Create',

  'invitations.title': 'Invitations',
  'invitations.createdHtml': 'Send this link to <strong>{email}</strong>. It works once and expires in 14 days.',
  'invitations.mailedHtml':
    'An email with this link was sent to <strong>{email}</strong>. It works once and expires in 14 days.',
  'invitations.mailFailedHtml':
    'The email to <strong>{email}</strong> could not be sent ({reason}). The invitation is valid: send this link yourself. It works once and expires in 14 days.',
  'mail.invitation.subject': '{inviter} invites you to Fairhire',
  'mail.invitation.organisation':
    '{inviter} ({inviterOrganisation}) invites you to set up {organisation} on Fairhire as a {kind}. Fairhire is where {inviterOrganisation} and its business partners assess how migrant workers are recruited and employed, and agree what to improve.',
  'mail.invitation.member': '{inviter} invites you to join {inviterOrganisation} on Fairhire, as {role}.',
  'mail.invitation.link': 'To accept, open this link and choose your password:',
  'mail.invitation.expiry': 'The link works once and expires on {date}.',
  'mail.invitation.ignore':
    'If you did not expect this email, you can ignore it: nothing happens unless the link is opened and accepted.',
  'invitations.heading': 'Invite an organisation or a colleague',
  'invitations.email': 'Email address of the person to invite',
  'invitations.join': 'They will join',
  'invitations.asSupplier': 'as a new supplier site',
  'invitations.asRecruiter': 'as a new labour recruiter',
  'invitations.asMember': 'your own organisation',
  'invitations.organisation': 'Name of the supplier or recruiter',
  'invitations.organisationHint': 'Not needed when inviting a colleague.',
  'invitations.role': 'Role of a colleague',
  'invitations.create': 'Create invitation link',
  'invitations.sent': 'Sent',
  'invitations.table': 'Invitations sent',
  'invitations.colEmail': 'Email',
  'invitations.colFor': 'For',
  'invitations.colSent': 'Sent',
  'invitations.colStatus': 'Status',
  'invitations.colAction': 'Action',
  'invitations.forColleague': 'colleague ({role})',
  'invitations.forOrganisation': '{kind}: {name}',
  'invitations.accepted': 'accepted',
  'invitations.withdrawn': 'withdrawn',
  'invitations.expired': 'expired',
  'invitations.openUntil': 'open until {date}',
  'invitations.withdraw': 'Withdraw',

  'invite.title': 'Invitation',
  'invite.signIn': 'Go to sign in',
  'invite.memberHtml': '<strong>{inviter}</strong> invites <strong>{email}</strong> to join its team on Fairhire.',
  'invite.organisationHtml':
    '<strong>{inviter}</strong> invites <strong>{email}</strong> to answer due-diligence questionnaires on Fairhire as a {kind}.',
  'invite.linkHtml': 'You already have an account. Link <strong>{organisation}</strong> to {inviter}?',
  'invite.accept': 'Accept',
  'invite.organisation': 'Organisation name',
  'invite.name': 'Your name',
  'invite.password': 'Choose a password',
  'invite.submit': 'Create my account',

  'people.title': 'People in {organisation}',
  'people.invite': 'Invite a colleague',
  'people.table': 'People',
  'people.colName': 'Name',
  'people.colEmail': 'Email',
  'people.colRole': 'Role',
  'people.colStatus': 'Status',
  'people.roleOf': 'Role of {name}',
  'people.change': 'Change',
  'people.disabled': 'disabled',
  'people.active': 'active',
  'people.disable': 'Disable',

  'suppliers.title': 'Suppliers and recruiters',
  'suppliers.invite': 'Invite a supplier or recruiter',
  'suppliers.request': 'Request an assessment',
  'suppliers.colName': 'Name',
  'suppliers.colKind': 'Kind',
  'suppliers.colCountry': 'Country',
  'suppliers.colCode': 'Your code and tier',
  'suppliers.codeOf': 'Internal code of {name}',
  'suppliers.tierOf': 'Tier of {name}',
  'suppliers.save': 'Save',

  'tokens.title': 'API tokens',
  'tokens.introHtml':
    'Tokens let other systems use the <a href="/docs">Fairhire API</a> for {organisation}. Send them as <code>Authorization: Bearer …</code>.',
  'tokens.copy': 'Copy the token now: it is shown only once.',
  'tokens.name': 'Name',
  'tokens.nameHint': 'Which system will use it.',
  'tokens.access': 'Access',
  'tokens.accessViewer': 'read only',
  'tokens.accessRespondent': 'answer assessments',
  'tokens.accessAnalyst': 'request and review',
  'tokens.create': 'Create token',
  'tokens.colName': 'Name',
  'tokens.colPrefix': 'Starts with',
  'tokens.colAccess': 'Access',
  'tokens.colCreated': 'Created',
  'tokens.colLastUsed': 'Last used',
  'tokens.colStatus': 'Status',
  'tokens.never': 'never',
  'tokens.revoked': 'revoked',
  'tokens.revoke': 'Revoke',

  'audit.title': 'Audit log',
  'audit.titleOf': 'Audit log of assessment {id}',
  'audit.lead':
    'Every change to answers, submissions, reviews, actions, people, tokens and sharing. Entries cannot be edited or deleted.',
  'audit.table': 'Audit log entries',
  'audit.colWhen': 'When (UTC)',
  'audit.colWho': 'Who',
  'audit.colWhat': 'What',
  'audit.colBefore': 'Before',
  'audit.colAfter': 'After',
  'audit.token': 'token {name}',
  'audit.system': 'system',
  'audit.assessment': 'assessment',

  'assessments.title': 'Assessments',
  'assessments.selfCheck': 'Start a self-check (your own improvement work; you can share it later)',
  'assessments.questionnaire': 'Questionnaire',
  'assessments.name': 'Title',
  'assessments.namePlaceholder': 'For example: Self-check 2026',
  'assessments.start': 'Start',
  'assessments.request': 'Request an assessment from a supplier',
  'assessments.none': 'No assessments yet.',
  'assessments.colAssessment': 'Assessment',
  'assessments.colOrganisation': 'Organisation',
  'assessments.colStatus': 'Status',
  'assessments.colProgress': 'Progress',
  'assessments.colRequestedBy': 'Requested by',
  'assessments.colDue': 'Due',
  'assessments.progress': '{answered} of {applicable} answered',
  'assessments.selfCheckShort': 'self-check',

  'request.title': 'Request an assessment',
  'request.emptyHtml': 'Your supplier list is empty. <a href="/invitations">Invite a supplier or recruiter</a> first.',
  'request.from': 'From',
  'request.questionnaire': 'Questionnaire',
  'request.questionnaireFor': '{title} (for a {respondent})',
  'request.due': 'Due date',
  'request.send': 'Send request',

  'assessment.organisation': 'Organisation',
  'assessment.questionnaire': 'Questionnaire',
  'assessment.revision': 'revision {revision}',
  'assessment.status': 'Status',
  'assessment.requestedBy': 'Requested by',
  'assessment.selfCheck': 'nobody: a self-check',
  'assessment.due': 'Due',
  'assessment.answersSaved': 'Answers',
  'assessment.submitted': 'Submitted',
  'assessment.fixReturned': 'Fix the returned answers',
  'assessment.answer': 'Answer the questionnaire',
  'assessment.submit': 'Review and submit',
  'assessment.read': 'Read the answers',
  'assessment.results': 'Results and action plan',
  'assessment.review': 'Review the answers',
  'assessment.offline': 'Answer offline in Excel',
  'assessment.downloadHtml':
    '<a href="{href}">Download the questionnaire as a workbook</a> (pre-filled with the saved answers).',
  'assessment.upload': 'Upload the filled-in workbook',
  'assessment.uploadHint':
    'Every row is checked; if one is wrong, nothing is saved and you get the list of cells to fix.',
  'assessment.import': 'Import answers',
  'assessment.imported': 'The workbook was imported: {count} answers or comments changed.',
  'assessment.importIgnored':
    'Not saved, because these questions are not asked given the other answers (leave them empty, or change the answer they depend on):',
  'assessment.scores': 'Scores',
  'assessment.colWhen': 'When',
  'assessment.colWhy': 'Why',
  'assessment.colRating': 'Rating',
  'assessment.colControl': 'Control score',
  'assessment.colInherent': 'Inherent risk',
  'assessment.colRedFlags': 'Red flags',
  'assessment.colRubric': 'Rubric',
  'assessment.visibility': 'Who can see it',
  'assessment.answersIt': '{name} (answers it)',
  'assessment.shareRequested': '{name}: requested it {date}',
  'assessment.shareShared': '{name}: shared with {date}',
  'assessment.shareRevoked': 'access revoked {date}',
  'assessment.stopSharing': 'Stop sharing',
  'assessment.decline': 'Decline this request',
  'assessment.declineReason': 'Your reason',
  'assessment.declineHint':
    'The brand that asked reads it. The request stays, marked declined; it cannot be answered afterwards.',
  'assessment.declineButton': 'Decline the request',
  'assessment.declined': 'Declined',
  'assessment.declineReasonShort': 'declined: {reason}',
  'assessments.sharedWithYou': 'Shared with you',
  'assessment.shareWith': 'Share with a brand',
  'assessment.share': 'Share',
  'assessment.audit': 'Audit log of this assessment',

  'portfolio.title': 'Portfolio',
  'portfolio.lead':
    '{shown} of {total} suppliers and recruiters. Ratings are indicators of forced-labour risk, not findings.',
  'portfolio.country': 'Country',
  'portfolio.sector': 'Sector',
  'portfolio.rating': 'Rating',
  'portfolio.status': 'Status',
  'portfolio.all': 'All',
  'portfolio.notRequested': 'not requested',
  'portfolio.sort': 'Sort by',
  'portfolio.sortRating': 'rating',
  'portfolio.sortName': 'name',
  'portfolio.sortControl': 'control score',
  'portfolio.sortInherent': 'inherent risk',
  'portfolio.sortRedFlags': 'red flags',
  'portfolio.sortOverdue': 'overdue actions',
  'portfolio.apply': 'Apply',
  'portfolio.download': 'Download as a spreadsheet',
  'portfolio.downloadCsv': 'Download as CSV files (zip)',
  'portfolio.range': 'Showing {from}–{to} of {matching}.',
  'portfolio.noneMatch': 'No supplier matches these filters.',
  'portfolio.pages': 'Pages of the list',
  'portfolio.previous': 'Previous',
  'portfolio.next': 'Next',
  'portfolio.pageN': 'Page {page}',
  'portfolio.pageOf': 'Page {page} of {pages}',
  'portfolio.table': 'Suppliers and their ratings',
  'portfolio.colSupplier': 'Supplier',
  'portfolio.colCountry': 'Country',
  'portfolio.colStatus': 'Status',
  'portfolio.colRating': 'Rating',
  'portfolio.colControl': 'Control score',
  'portfolio.colInherent': 'Inherent risk',
  'portfolio.colRedFlags': 'Red flags',
  'portfolio.colConfidence': 'Confidence',
  'portfolio.colActions': 'Open / overdue actions',
  'portfolio.overdue': '{count} overdue',
  'portfolio.heatmap': 'Heat map: control score by section',
  'portfolio.heatmapLead':
    "For the suppliers on this page: each cell is the section's control score (0–100); the number is always shown, the colour only helps.",
  'portfolio.heatmapTable': 'Heat map of section scores',
  'portfolio.prepare': 'Prepare the spreadsheet in the background',
  'portfolio.exports': 'Spreadsheets prepared',

  'exports.title': 'Portfolio spreadsheets',
  'exports.lead':
    'Large portfolios are prepared in the background: you can leave this page and come back. A finished spreadsheet can be downloaded for {hours} hours, then it is deleted.',
  'exports.request': 'Prepare a new spreadsheet',
  'exports.none': 'No spreadsheet has been prepared yet.',
  'exports.table': 'Spreadsheets prepared',
  'exports.colAsked': 'Asked for',
  'exports.colStatus': 'Status',
  'exports.colProgress': 'Progress',
  'exports.colFile': 'File',
  'exports.queued': 'Waiting to start',
  'exports.retrying': 'Waiting to try again',
  'exports.running': 'Being prepared',
  'exports.done': 'Ready',
  'exports.failed': 'Failed: prepare a new one',
  'exports.cancelled': 'Cancelled',
  'exports.progress': '{done} of {total} suppliers',
  'exports.counting': 'Counting suppliers',
  'exports.download': 'Download {file}',
  'exports.size': '{kb} KB',
  'exports.keptUntil': 'Kept until {time} UTC',
  'exports.at': '{time} UTC',
  'exports.refresh': 'Refresh',
  'exports.all': 'All spreadsheets prepared',
  'exports.back': 'Back to the portfolio',

  'rescore.title': 'Re-scoring',
  'rescore.lead':
    'When a rubric version replaces another, every stored score made with the older one is re-scored: a new score is added with the same answers, evidence and reviews, and the earlier scores are kept. A re-score runs in the background; you can leave this page and come back. When it is done, its workbook lists every rating that moved and the rule that moved it.',
  'rescore.operatorsOnly':
    "This page covers every organisation's scores, so only platform operators see it (named with fairhire operators grant).",
  'rescore.rubrics': 'Rubrics',
  'rescore.colRubric': 'Rubric',
  'rescore.colVersion': 'Current version',
  'rescore.colDue': 'Scores on an older version',
  'rescore.colAction': 'Re-score',
  'rescore.version': '{version} (revision {revision})',
  'rescore.request': 'Re-score now',
  'rescore.jobs': 'Latest re-scores',
  'rescore.none': 'No re-score has run yet.',
  'rescore.jobTitle': 'Re-score with rubric {rubric}',
  'rescore.back': 'Back to re-scoring',
  'rescore.already': 'A re-score with this rubric version was already waiting or running: this is it.',
  'rescore.colAsked': 'Asked for',
  'rescore.colStatus': 'Status',
  'rescore.colProgress': 'Progress',
  'rescore.colError': 'Last error',
  'rescore.colFinished': 'Finished',
  'rescore.colOutcome': 'Outcome',
  'rescore.colChanges': 'What changed',
  'rescore.queued': 'Waiting to start',
  'rescore.retrying': 'Waiting to try again',
  'rescore.running': 'Re-scoring',
  'rescore.done': 'Done',
  'rescore.failed': 'Failed',
  'rescore.cancelled': 'Cancelled',
  'rescore.progress': '{done} of {total} assessments checked',
  'rescore.counting': 'Counting assessments',
  'rescore.refresh': 'Refresh',
  'rescore.outcome': '{checked} assessments checked, {rescored} scores added',
  'rescore.superseded': 'It stopped early: a newer rubric version became current, and its own re-score does the rest.',
  'rescore.download': 'Download the workbook of ratings that changed',
  'rescore.at': '{time} UTC',

  'supplier.portfolio': 'Portfolio',
  'supplier.kind': 'Kind',
  'supplier.country': 'Country',
  'supplier.unknown': 'unknown',
  'supplier.codeTier': 'Your code and tier',
  'supplier.codeTierValue': '{code}, tier {tier}',
  'supplier.history': 'Score over time',
  'supplier.noScore': 'No score yet.',
  'supplier.historyTable': 'Score history',
  'supplier.colWhen': 'When',
  'supplier.colWhy': 'Why',
  'supplier.colRating': 'Rating',
  'supplier.colControl': 'Control score',
  'supplier.colTrend': 'Trend',
  'supplier.colInherent': 'Inherent risk',
  'supplier.colRedFlags': 'Red flags',
  'supplier.assessments': 'Assessments and requests',
  'supplier.sharingRevoked': 'sharing revoked',
  'supplier.due': 'due {date}',
  'supplier.request': 'Request a new assessment',

  'questionnaires.title': 'Questionnaires',
  'questionnaires.lead':
    'Each questionnaire is built on public guidance for fair recruitment and cites its sources question by question.',
  'questionnaires.answeredBy': 'Answered by',
  'questionnaires.version': 'Version',
  'questionnaires.versionValue': '{version} (revision {revision})',
  'questionnaires.size': 'Size',
  'questionnaires.sizeValue': '{sections} sections, {questions} questions',

  'questionnaire.answeredBy': 'Answered by',
  'questionnaire.version': 'Version',
  'questionnaire.versionValue': '{version}, revision {revision}',
  'questionnaire.content': 'content',
  'questionnaire.loaded': 'loaded {date}',
  'questionnaire.otherVersions': 'Other versions',
  'questionnaire.revision': 'revision {revision}',
  'questionnaire.languages': 'Languages',
  'questionnaire.json': 'As JSON',
  'questionnaire.sections': 'Sections',
  'questionnaire.profile': '(profile, unscored)',
  'questionnaire.conditional': '(conditional)',
  'questionnaire.askedWhen': 'Asked only when:',
  'questionnaire.typeSingle': 'One answer',
  'questionnaire.typeMulti': 'Several answers',
  'questionnaire.typeScale': "Yes / partly / no / don't know",
  'questionnaire.typeNumber': 'Number',
  'questionnaire.typeText': 'Text',
  'questionnaire.typeDate': 'Date',
  'questionnaire.typeCountry': 'Country',
  'questionnaire.optional': 'optional',
  'questionnaire.severity': 'Severity: {severity}',
  'questionnaire.credit': '(credit {credit})',
  'questionnaire.evidenceCredit': '· full credit with evidence',
  'questionnaire.redFlag': 'Red flag: {indicator}',
  'questionnaire.guidance': 'Guidance, evidence and sources',
  'questionnaire.typicalEvidence': 'Typical evidence:',
  'questionnaire.indicators': 'Forced-labour risk indicators informed:',
  'questionnaire.sources': 'Sources:',
  'questionnaire.ifGap': 'If this is a gap',
  'questionnaire.references': 'References',

  'answer.sections': 'Sections',
  'answer.progress': '{answered} of {applicable} questions answered',
  'answer.sectionNotAsked': 'not asked',
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
  'answer.removeEvidenceNamed': 'Remove {name}',
  'answer.evidenceRemoved': 'The evidence file was removed.',
  'answer.required': 'required',
  'answer.optional': 'optional',
  'answer.clear': 'No answer',
  'answer.routes.row': 'Route',
  'answer.routes.origin': 'Home country',
  'answer.routes.destination': 'Country of work',
  'answer.routes.workers': 'Number of workers',
  'answer.routes.choice': 'Answer for this route',
  'answer.routes.originOf': 'Route {n}: home country',
  'answer.routes.destinationOf': 'Route {n}: country of work',
  'answer.routes.workersOf': 'Route {n}: number of workers',
  'answer.routes.choiceOf': 'Route {n}: answer',
  'answer.routes.more': 'Need more rows? Save, and more empty rows appear.',
  'answer.conflict':
    'Someone else saved a different answer while you were working. Nothing was saved. Check both values, then save again.',
  'answer.conflictTheirs': 'Saved by someone else',
  'answer.conflictYours': 'Your answer (kept in the form)',
  'answer.errors': 'Some answers need a look. Nothing was saved; what you typed is kept.',
  'answer.returnedComment': 'Returned by the reviewer',
  'answer.askedBy': '{brand} asks: {comment}',
  'answer.review': 'Review and submit',
  'answer.notAsked': 'This section does not apply, given your earlier answers.',

  'submit.title': 'Review and submit',
  'submit.missing': 'These required questions are not answered yet. "Don\'t know" is always an allowed answer.',
  'submit.ready': 'Every required question is answered. Submitting locks the answers and computes the score.',
  'submit.button': 'Submit the assessment',

  'results.title': 'Results',
  'results.scored':
    'Scored {date} ({reason}) with questionnaire {questionnaire} {questionnaireVersion} and rubric {rubric} {rubricVersion}.',
  'results.rating': 'Rating',
  'results.matrix': 'Matrix: inherent risk {inherent} × controls {control} = {rating}.',
  'results.control': 'Control score by section',
  'results.overall': 'Overall',
  'results.inherent': 'Inherent risk from the context',
  'results.confidence': 'Confidence',
  'results.confidenceDetail':
    '{dontKnow} of {applicable} answers "don\'t know" or missing; {unverified} claims without evidence.',
  'results.redFlags': 'Red flags',
  'results.answer': 'Answer',
  'results.immediateAction': 'Immediate action',
  'results.suspected': 'Suspected by a reviewer',
  'results.wholeAssessment': 'whole assessment',
  'results.sectionsTable': 'Section scores',
  'results.colSection': 'Section',
  'results.colScore': 'Score',
  'results.colBar': 'Bar',
  'results.colWeight': 'Weight',
  'results.notApplicable': 'not applicable',
  'results.howOverall': 'How the overall score is made',
  'results.actions': 'Corrective action plan',
  'results.download': 'Download the gap report (Excel)',
  'results.upload': 'Upload the action plan edited in Excel',
  'results.uploadHint': 'Owner, due date, status and notes are read back; everything else must stay as it was.',
  'results.uploadButton': 'Upload',
  'results.noActions': 'No gaps, so no actions.',
  'results.redFlagTag': 'red flag',
  'results.timeframe': 'Suggested timeframe: {timeframe}',
  'results.due': 'due {date}',
  'results.actionStatus': 'status',
  'results.verifiedDone': 'Verified as done',
  'results.noRedFlags': 'No red flag.',
  'results.caveat': 'These are indicators of forced-labour risk from a self-assessment, not findings of forced labour.',

  'importErrors.problem': 'The workbook has {count} problem. Nothing was changed: correct them and upload it again.',
  'importErrors.problems': 'The workbook has {count} problems. Nothing was changed: correct them and upload it again.',
  'importErrors.table': 'Problems in the workbook',
  'importErrors.colSheet': 'Sheet',
  'importErrors.colCell': 'Cell',
  'importErrors.colProblem': 'Problem',
  'importErrors.back': 'Go back',

  'action.owner': 'Owner',
  'action.due': 'Due date',
  'action.status': 'Status',
  'action.notes': 'Notes',
  'action.closing': 'Closing evidence',
  'action.save': 'Save action',
  'action.overdue': 'overdue',

  'queue.title': 'Review queue',
  'queue.empty': 'Nothing to review: no submitted assessment is visible to your organisation.',
  'queue.colAssessment': 'Assessment',
  'queue.colOrganisation': 'Organisation',
  'queue.colStatus': 'Status',
  'queue.colSubmitted': 'Submitted',

  'review.title': 'Review',
  'review.results': 'Results',
  'review.status': 'Status',
  'review.currentRating': 'current rating',
  'review.finishOwnHint':
    'Keeps your own review and score. The brand that requested this assessment decides its status; the supplier reads what you asked.',
  'review.finishHint':
    'Returned answers go back to the respondent; otherwise the assessment is marked reviewed. The score is recomputed with your verifications.',
  'review.question': 'Question (optional)',
  'review.questionPlaceholder': 'e.g. A3.1',
  'review.indicator': 'Indicator (optional)',
  'results.maturity': 'Due-diligence maturity',
  'results.maturityStep': 'OECD due-diligence step',
  'results.maturityScore': 'Score',
  'results.maturityGrade': 'Grade',
  'results.exposure': 'Sourcing exposure',
  'results.exposureNone': 'No sourcing countries given.',
  'results.exposureScore': 'Spend-weighted exposure {score} ({band}).',
  'results.verified': '{verified} of {required} critical answers verified by a reviewer.',
  'review.suspected': 'Suspected red flags',
  'review.ruleFlags': 'Answers that contradict each other',
  'review.ruleFlagsHint':
    'Each of these holds the rating at High or worse until you clear it (the answers are explained) or confirm it (it becomes a red flag). Say what you checked.',
  'review.ruleCheck': 'What to check',
  'review.ruleStatus': 'Status',
  'review.ruleStatus.open': 'open',
  'review.ruleStatus.cleared': 'cleared by a reviewer',
  'review.ruleStatus.confirmed': 'confirmed as a red flag',
  'review.ruleComment': 'What you checked',
  'review.ruleClear': 'Clear: the answers are explained',
  'review.ruleConfirm': 'Confirm: a red flag',
  'review.wholeAssessment': 'whole assessment',
  'review.answers': 'Answers',
  'review.answer': 'Answer',
  'review.notEvidenced': 'not yet evidenced',
  'review.answerComment': 'Comment',
  'review.evidence': 'Evidence',
  'review.decision': 'Decision',
  'review.by': 'by {method}',
  'review.answeredAgain': '(answered again)',
  'review.returnPlaceholder': 'What should be looked at again?',
  'review.accept': 'Accept',
  'review.verify': 'Mark verified',
  'review.return': 'Return',
  'review.method': 'Verified by',
  'review.comment': 'Comment (required to return)',
  'review.finish': 'Finish the review',
  'review.flag': 'Raise a suspected red flag',
  'review.flagReason': 'Why (inconsistent answers, information from workers, …)',

  // Labels of stored codes.
  'status.draft': 'draft',
  'status.submitted': 'submitted',
  'status.returned': 'returned',
  'status.reviewed': 'reviewed',
  'status.declined': 'declined',
  'actionStatus.open': 'open',
  'actionStatus.in_progress': 'in progress',
  'actionStatus.done': 'done',
  'actionStatus.verified': 'verified',
  'decision.accepted': 'accepted',
  'decision.verified': 'verified',
  'decision.returned': 'returned',
  'role.admin': 'admin',
  'role.analyst': 'analyst',
  'role.respondent': 'respondent',
  'role.viewer': 'viewer',
  'kind.brand': 'brand',
  'kind.supplier': 'supplier',
  'kind.recruiter': 'recruiter',
  'respondent.employer': 'employer',
  'respondent.recruiter': 'recruiter',
  'respondent.brand': 'brand',
  'share.requested': 'requested',
  'share.shared': 'shared',
} as const

export type MessageKey = keyof typeof en
export type Language = 'en'
export type MessageVars = Record<string, string | number>

/** Looks a message up; `html` is for the keys ending in `Html`: their values are escaped, their markup kept. */
export type Messages = ((key: MessageKey, vars?: MessageVars) => string) & {
  html: (key: MessageKey, vars?: MessageVars) => string
}

const catalogues: Record<Language, Record<MessageKey, string>> = { en }

/** Every key of the English catalogue, the reference the other languages are checked against. */
export const MESSAGE_KEYS = Object.keys(en) as MessageKey[]

/**
 * The language a request's pages are written in. English only for now; choosing from Accept-Language (or a
 * user setting) belongs here and nowhere else.
 */
export function languageOf(_req: { headers: Record<string, string | string[] | undefined> }): Language {
  return 'en'
}

function escapeHtml(s: string): string {
  return s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

function fill(s: string, vars: MessageVars | undefined, wrap: (v: string) => string): string {
  if (!vars) return s
  // One pass, so that a value containing `{name}` is never substituted again.
  return s.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? wrap(String(vars[name])) : whole))
}

const cache = new Map<string, Messages>()

export function messages(lang: string = 'en'): Messages {
  const cached = cache.get(lang)
  if (cached) return cached
  const cat: Record<string, string> = catalogues[lang as Language] ?? en
  const text = (key: MessageKey): string => cat[key] ?? en[key] ?? key
  const m = ((key, vars) => fill(text(key), vars, (v) => v)) as Messages
  m.html = (key, vars) => fill(text(key), vars, escapeHtml)
  cache.set(lang, m)
  return m
}

export type Formatters = {
  date: (iso: string | null | undefined) => string
  number: (n: number | null | undefined) => string
}

const formatterCache = new Map<string, Formatters>()

/** Dates and numbers as the reader's language writes them. */
export function formatters(lang: string = 'en'): Formatters {
  const cached = formatterCache.get(lang)
  if (cached) return cached
  const locale = lang === 'en' ? 'en-GB' : lang
  const date = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
  const num = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 })
  const f: Formatters = {
    date: (iso) => (iso ? date.format(new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso)) : ''),
    number: (n) => (n === null || n === undefined ? '–' : num.format(n)),
  }
  formatterCache.set(lang, f)
  return f
}
