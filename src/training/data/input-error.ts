/** Errors about the user's input or flags: the CLI prints the message alone, without a stack. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
