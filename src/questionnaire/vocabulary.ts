/**
 * Closed vocabularies shared by questionnaires, rubrics and reports. Keeping them in one place lets the
 * linter reject a typo in a YAML file instead of silently creating a new category.
 */

/** The eleven ILO indicators of forced labour (ILO, 2012), plus child recruitment, which IRIS A.3 treats as a red line. */
export const INDICATORS = {
  abuse_of_vulnerability: 'Abuse of vulnerability',
  deception: 'Deception',
  restriction_of_movement: 'Restriction of movement',
  isolation: 'Isolation',
  physical_sexual_violence: 'Physical and sexual violence',
  intimidation_threats: 'Intimidation and threats',
  retention_of_identity_documents: 'Retention of identity documents',
  withholding_of_wages: 'Withholding of wages',
  debt_bondage: 'Debt bondage',
  abusive_conditions: 'Abusive working and living conditions',
  excessive_overtime: 'Excessive overtime',
  child_recruitment: 'Recruitment of children',
} as const
export type IndicatorKey = keyof typeof INDICATORS
export const INDICATOR_KEYS = Object.keys(INDICATORS) as [IndicatorKey, ...IndicatorKey[]]
/** The eleven ILO indicators proper (child recruitment is ours, not the ILO list). */
export const ILO_INDICATOR_KEYS = INDICATOR_KEYS.filter((k) => k !== 'child_recruitment')

/** Frameworks a question may cite. The clause after the key is free text (principle number, criterion, step). */
export const FRAMEWORKS = {
  'ILO-GP': 'ILO General Principles and Operational Guidelines for Fair Recruitment (2019), general principle',
  'ILO-OG': 'ILO General Principles and Operational Guidelines for Fair Recruitment (2019), operational guideline',
  'ILO-DEF': 'ILO Definition of recruitment fees and related costs (2019)',
  'ILO-IND': 'ILO Indicators of Forced Labour (2012)',
  'ILO-C29': 'ILO Forced Labour Convention, 1930 (No. 29) and its 2014 Protocol',
  'ILO-C95': 'ILO Protection of Wages Convention, 1949 (No. 95)',
  'ILO-C181': 'ILO Private Employment Agencies Convention, 1997 (No. 181)',
  IRIS: 'IOM IRIS Standard (v1.2), principle',
  'IOM-MWG': 'IOM Migrant Worker Guidelines for Employers (2021)',
  'IOM-DDT': 'IOM Fair and Ethical Recruitment Due Diligence Toolkit',
  'IOM-REM': 'IOM Remediation Guidelines (2018)',
  EPP: 'Employer Pays Principle (Leadership Group for Responsible Recruitment)',
  'CGF-PIP': 'Consumer Goods Forum Priority Industry Principles on forced labour (2016)',
  DHAKA: 'Dhaka Principles for Migration with Dignity',
  UNGP: 'UN Guiding Principles on Business and Human Rights (2011), principle',
  'OECD-DD': 'OECD Due Diligence Guidance for Responsible Business Conduct (2018), step',
  'OECD-GF': 'OECD Due Diligence Guidance for Responsible Supply Chains in the Garment and Footwear Sector (2017)',
  KTC: 'KnowTheChain benchmark methodology',
  VERITE: 'Verité Fair Hiring Toolkit',
  IMPACTT: 'Impactt Principles for the repayment of migrant worker recruitment fees',
  'CGF-REPAY': 'CGF Human Rights Coalition and AIM-Progress guidance on the repayment of recruitment fees (2022)',
  RBA: 'Responsible Business Alliance Code of Conduct and recruitment due diligence toolkit',
  'AMFORI-ZTP': 'amfori BSCI Zero Tolerance Protocol',
  'ILO-C155': 'ILO Occupational Safety and Health Convention, 1981 (No. 155)',
  'ILO-C97': 'ILO Migration for Employment Convention (Revised), 1949 (No. 97)',
  'ILO-C143': 'ILO Migrant Workers (Supplementary Provisions) Convention, 1975 (No. 143)',
  'ILO-FLS':
    'ILO Hard to See, Harder to Count: Survey Guidelines to Estimate Forced Labour (2nd ed., 2024) and the 2018 ICLS guidelines concerning the measurement of forced labour',
  KNOMAD: 'World Bank KNOMAD and ILO recruitment cost surveys (SDG indicator 10.7.1)',
  ST: 'Stronger Together, tackling modern slavery guidance and toolkits',
} as const
export type FrameworkKey = keyof typeof FRAMEWORKS
export const FRAMEWORK_KEYS = Object.keys(FRAMEWORKS) as [FrameworkKey, ...FrameworkKey[]]

/** Gap types with the remediation family they belong to (domain research §5). */
export const GAP_TYPES = {
  G1: 'Worker-paid recruitment fees or related costs',
  G2: 'Deposits, bonds, collateral or penalties for leaving',
  G3: 'Identity documents held by others',
  G4: 'Restrictions on movement, isolation or confiscated phones',
  G5: 'Threats, violence, intimidation or corruption',
  G6: 'Contract substitution or deception',
  G7: 'Wage withholding, unlawful deductions or bank cards held',
  G8: 'Debt and unfair loans',
  G9: 'Excessive or forced overtime',
  G10: 'Recruiter due diligence, contracts and monitoring',
  G11: 'Policy, governance and training',
  G12: 'Transparency of terms, contracts and orientation',
  G13: 'Accommodation below standard',
  G14: 'Grievance mechanism not effective',
  G15: 'Work or residence permit lapses',
  G16: 'Discrimination, unequal pay or freedom of association',
  G17: 'Brand-level due diligence',
  G18: 'Recruitment of children',
  G19: 'Personal data misuse',
  G20: 'Claim not yet verified',
  G21: 'Occupational safety and health',
  G22: 'Daily transport',
} as const
/** The gap type of a critical claim that nothing proves yet (rubric 2026.2, scoring.md §7.1). */
export const VERIFICATION_GAP: GapTypeKey = 'G20'
export type GapTypeKey = keyof typeof GAP_TYPES
export const GAP_TYPE_KEYS = Object.keys(GAP_TYPES) as [GapTypeKey, ...GapTypeKey[]]

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const
export type Severity = (typeof SEVERITIES)[number]

export const THEMES = {
  profile: 'Profile and context',
  governance: 'Governance and policy',
  recruiters: 'Recruitment channels and recruiters',
  fees: 'Recruitment fees and related costs',
  transparency: 'Transparency of terms',
  migration_journey: 'Pre-departure, travel and arrival',
  documents_movement: 'Identity documents and freedom of movement',
  wages_debt_time: 'Wages, deductions, debt and working time',
  accommodation: 'Accommodation and living conditions',
  grievance_remedy: 'Grievance mechanism and remedy',
  return: 'End of contract and return',
  voice_equality: 'Worker voice and non-discrimination',
  conduct: 'Legal and ethical conduct',
  data_protection: 'Confidentiality and data protection',
  subagents: 'Sub-agents and business partners',
  due_diligence: 'Human-rights due diligence',
  health_safety: 'Occupational safety and health',
  transport: 'Daily transport',
} as const
export type ThemeKey = keyof typeof THEMES
export const THEME_KEYS = Object.keys(THEMES) as [ThemeKey, ...ThemeKey[]]

/**
 * Profile keys: what an unscored profile question tells the inherent-risk part of the rubric.
 * A questionnaire may use each at most once.
 */
export const PROFILE_KEYS = [
  'country',
  'sector',
  'workers_total',
  'migrant_workers',
  'recruitment_channels',
  'tied_permits',
  'employer_accommodation',
  'origin_countries',
  /** Citizens who moved from another region of the country for the job (2026.2). */
  'internal_migrants',
  /** The workforce's migration corridors: a `corridors` question (2026.2). */
  'corridors',
  /** Sectors a recruiter places workers in (2026.2). */
  'sectors_placed',
] as const
export type ProfileKey = (typeof PROFILE_KEYS)[number]

/** The shared answer scale. Its credits are the rubric's defaults and can be changed per rubric version. */
export const SCALE_CHOICES = ['yes', 'partly', 'no', 'dont_know', 'not_applicable'] as const
export type ScaleChoice = (typeof SCALE_CHOICES)[number]
