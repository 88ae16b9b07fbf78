/** A command that breaks an invariant (not a business outcome): the edge maps `code` to a problem detail. */
export class CallError extends Error {
  constructor(
    readonly code: 'call_not_found' | 'call_already_exists' | 'already_answered' | 'call_ended' | 'not_ringing' | 'not_inbound',
    message: string,
  ) {
    super(message);
    this.name = 'CallError';
  }
}
