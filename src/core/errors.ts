/**
 * An error meant for the user: printed as one line (`tracehook: <message>`), never with a stack.
 * Anything thrown that is not a UserError is a bug in tracehook and is reported as such.
 */

/**
 * Marks UserErrors across module copies: the CLI is one bundled file while a plugin file imports the
 * package's `dist/plugin/api.js`, so a plugin's `UserError` is another class object than the CLI's.
 */
const BRAND = Symbol.for('tracehook.UserError');

export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'UserError';
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `x instanceof UserError` holds for a UserError from any copy of this module; subclasses check as usual. */
  static override [Symbol.hasInstance](x: unknown): boolean {
    if (this !== UserError) return Function.prototype[Symbol.hasInstance].call(this, x);
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }
}
