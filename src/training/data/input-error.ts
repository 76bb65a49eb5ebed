/** Errors about the user's input or flags: the CLI prints the message alone, without a stack. */
export class InputError extends Error {
  override readonly name = 'InputError';
}

/**
 * Runs a command's `main` from its script: an InputError (a wrong flag or file) is printed alone,
 * without a stack, and the process exits with status 1.
 */
export async function runCommand(main: (argv: readonly string[]) => Promise<void>, argv: readonly string[]): Promise<void> {
  try {
    await main(argv);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}
