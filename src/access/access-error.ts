/** A refusal from the access services: the message is for the person, `field` names what to correct. */
export class AccessError extends Error {
  constructor(
    message: string,
    readonly field?: string,
    readonly status = 400,
  ) {
    super(message)
    this.name = 'AccessError'
  }
}
