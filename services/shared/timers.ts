// Emulators schedule deliveries, syncs and retries on real timers; a reset or a shutdown must cancel every one
// of them at once, or callbacks from before the reset act on the state after it.

/** Pending callbacks that can all be cancelled together. */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();

  /** Runs `fn` after `delayMs` unless {@link clear} comes first. */
  later(fn: () => void, delayMs: number): void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      fn();
    }, delayMs);
    this.pending.add(timer);
  }

  /** Cancels every callback not yet run. */
  clear(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
