// The exactly-once rule on its own: which event IDs the follower hands on, drops, or refuses.
import { describe, expect, it } from 'vitest';
import { compareEventIds, EventLedger } from '../../../providers/managed-agents/event-ledger.js';

describe('event ID order', () => {
  it('orders IDs with the same prefix by their numeric tail, not as text', () => {
    expect(compareEventIds('evt_9', 'evt_10')).toBeLessThan(0);
    expect(compareEventIds('evt_10', 'evt_10')).toBe(0);
  });

  it('orders other IDs by code units, which sorts ULIDs by time', () => {
    expect(compareEventIds('01HZX3A0000000000000000000', '01HZX3B0000000000000000000')).toBeLessThan(0);
  });
});

describe('event ledger', () => {
  it('drops IDs at or before the starting ID as stale', () => {
    const ledger = new EventLedger('evt_5');
    expect(['evt_4', 'evt_5', 'evt_6'].map((id) => ledger.admit(id))).toEqual(['stale', 'stale', 'new']);
    expect(ledger.lastEventId).toBe('evt_6');
  });

  it('drops an ID already handed on as a duplicate, on any later source', () => {
    const ledger = new EventLedger(undefined);
    ledger.admit('evt_1');
    ledger.admit('evt_2');
    ledger.startSource();
    expect(ledger.admit('evt_1')).toBe('duplicate');
  });

  it('refuses an unseen ID that orders before one already sent on the same source', () => {
    const ledger = new EventLedger(undefined);
    ledger.admit('evt_3');
    expect(() => ledger.admit('evt_2')).toThrow(/evt_2 arrived after evt_3 but orders before it/);
  });
});
