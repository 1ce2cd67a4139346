/**
 * An error meant for the user: printed as one line (`tracehook: <message>`), never with a stack.
 * Anything thrown that is not a UserError is a bug in tracehook and is reported as such.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'UserError';
  }
}
