// The exactly-once rule of the session follower in one place. An event is handed on only when it is later than
// the high-water mark (the last durably recorded ID, then each event handed on) and not one already seen, so a
// server that re-sends on reconnect, treats `after` inclusively, or replays from the start hands on nothing
// twice. "Later" needs an order of IDs (A6); an unseen event arriving after a later one on the same connection
// contradicts that order, and the ledger fails loudly (EVENT_ORDER) rather than silently dropping it.
import { localError } from './errors.js';

/** Orders two event IDs of one session: negative when `a` came first, 0 when equal. */
export type EventIdComparator = (a: string, b: string) => number;

const NUMBERED = /^(.*?)(\d+)$/;

/**
 * The default order (A6): IDs with the same prefix and a numeric tail (`evt_9` < `evt_10`) compare by the
 * number; anything else by UTF-16 code units, which orders ULIDs, UUIDv7 and zero-padded counters correctly.
 */
export const compareEventIds: EventIdComparator = (a, b) => {
  const left = NUMBERED.exec(a);
  const right = NUMBERED.exec(b);
  if (left && right && left[1] === right[1]) {
    const difference = BigInt(left[2] ?? '0') - BigInt(right[2] ?? '0');
    return difference === 0n ? 0 : difference < 0n ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
};

/** What the ledger decided about one event. */
export type Verdict = 'new' | 'duplicate' | 'stale';

/** IDs remembered for duplicate detection; older duplicates are still caught by the order rule. */
const SEEN_LIMIT = 4096;

/** The follower's memory of what it has handed on; one per follower, with per-connection order checks. */
export class EventLedger {
  private mark: string | undefined;
  private readonly seen = new Set<string>();
  private connectionMax: string | undefined;

  constructor(
    after: string | undefined,
    private readonly compare: EventIdComparator = compareEventIds,
  ) {
    this.mark = after;
  }

  /** The last ID handed on (or the starting ID): where a resumed stream must continue from. */
  get lastEventId(): string | undefined {
    return this.mark;
  }

  /** A new connection or a log read starts; the order check applies within one source only. */
  startSource(): void {
    this.connectionMax = undefined;
  }

  /** Classifies `id` and, when new, records it as handed on. Throws EVENT_ORDER on an order contradiction. */
  admit(id: string): Verdict {
    if (this.seen.has(id)) return 'duplicate';
    const previous = this.connectionMax;
    if (previous !== undefined && this.compare(id, previous) < 0) {
      throw localError(
        'EVENT_ORDER',
        `event ${id} arrived after ${previous} but orders before it; event IDs do not follow the assumed order`,
      );
    }
    this.connectionMax = id;
    if (this.mark !== undefined && this.compare(id, this.mark) <= 0) return 'stale';
    this.remember(id);
    this.mark = id;
    return 'new';
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > SEEN_LIMIT) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}
