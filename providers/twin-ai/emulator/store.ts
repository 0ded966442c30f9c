// The emulator's whole state, in memory and per instance (no module-level state, so tests can run several side by
// side). Records hold exactly the fields the seed shows for each object. IDs use the seed's prefixes (`doc_`,
// `esc_`), which the client never relies on. `asks` is the truth a test checks against what the client saw: every
// ask Twin really performed, including those whose answer a fault then lost.
import { randomBytes } from 'node:crypto';
import type { KbDocType } from '../requests.js';

export function twinAiId(prefix: string): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

export interface DocRecord {
  id: string;
  title: string;
  type: KbDocType;
  content: string;
  source: string;
  hits: number;
  createdAt: string;
}

export interface EscalationRecord {
  id: string;
  question: string;
  askedBy: string;
  confidence: number;
  reason: string | null;
  status: 'open' | 'resolved';
  createdAt: string;
  resolvedAt: string | null;
}

export interface AskRecord {
  message: string;
  context?: string;
  askedBy?: string;
  /** The body Twin answered (or would have, had a fault not replaced it). */
  answer: Record<string, unknown>;
  confidence: number;
  escalationId?: string;
  at: string;
}

export class Store {
  /** By the key itself: an emulator key is a test credential. */
  readonly keys = new Set<string>();
  readonly docs = new Map<string, DocRecord>();
  readonly escalations = new Map<string, EscalationRecord>();
  readonly asks: AskRecord[] = [];
  /** Answers counted against the monthly limit. */
  answersUsed = 0;

  clear(): void {
    this.keys.clear();
    this.docs.clear();
    this.escalations.clear();
    this.asks.length = 0;
    this.answersUsed = 0;
  }
}

/** Newest first, as a dashboard lists them. */
export const newestFirst = <T extends { createdAt: string }>(items: Iterable<T>): T[] =>
  [...items].reverse().sort((a, b) => b.createdAt.localeCompare(a.createdAt));
