import { z } from 'zod'

/**
 * A row id as routes take it (in a path, a form or a JSON body): a whole number that fits the id columns on
 * both engines. PostgreSQL's `integer` stops at 2^31 − 1, and a larger number in a query is an error there
 * (a 500), where SQLite would answer "not found": refused here, it is a 400 naming the field on both.
 */
export const MAX_ID = 2_147_483_647
const MESSAGE = `expected an id: a whole number from 1 to ${MAX_ID.toLocaleString('en')}`

/** From text (path parameters and form fields). */
export const idText = () => z.coerce.number({ message: MESSAGE }).int(MESSAGE).positive(MESSAGE).max(MAX_ID, MESSAGE)

/** From a JSON number. */
export const idNumber = () => z.number({ message: MESSAGE }).int(MESSAGE).positive(MESSAGE).max(MAX_ID, MESSAGE)
