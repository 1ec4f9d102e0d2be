/**
 * What a start-up has to undo, undone last-first (the reverse of starting), each
 * step even when an earlier one fails: stopping must never leave a process behind
 * because something else could not stop.
 */
export class Cleanups {
  private readonly pending: Array<() => unknown> = [];

  public add(cleanup: () => unknown): void {
    this.pending.push(cleanup);
  }

  /** Runs every cleanup added so far, newest first, once. */
  public async runAll(): Promise<void> {
    for (const cleanup of this.pending.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // Keep stopping the rest.
      }
    }
  }
}
