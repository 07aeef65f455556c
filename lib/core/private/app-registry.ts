/**
 * Per-app bookkeeping kept on the constructs themselves, under process-wide symbols (`Symbol.for`). A module-level
 * map would be split when a host loads two copies of this library (a jsii host next to a bundled copy, or two
 * versions in one app): two copies would each see only their own claims. A symbol from the global registry is the
 * same for every copy, and the data dies with its construct tree.
 */

/** A typed slot on an object, shared by every copy of the library loaded in the process. */
export class SharedSlot<T> {
  private readonly key: symbol;

  constructor(name: string) {
    this.key = Symbol.for(`cdk-serverless-patterns.${name}`);
  }

  /** The value stored on `owner`, if any. */
  public get(owner: object): T | undefined {
    return (owner as Record<symbol, T | undefined>)[this.key];
  }

  /** Stores `value` on `owner` (not enumerable, so it never shows up in a template or snapshot). */
  public set(owner: object, value: T): void {
    Object.defineProperty(owner, this.key, { value, configurable: true, enumerable: false, writable: true });
  }
}
