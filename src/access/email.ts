/** Email addresses are kept and compared trimmed and in lower case: one person, one spelling. */
export const normaliseEmail = (e: string) => e.trim().toLowerCase()

/** A plausible address (something@somewhere.tld); whether it receives mail is not checked. */
export const isEmailAddress = (normalised: string) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(normalised)
