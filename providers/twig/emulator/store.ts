// The emulator's whole state, in memory and per instance (no module-level state, so tests can run several side
// by side). Records hold only what the seed shows for each object, plus the emulator's own bookkeeping in fields
// the views leave out. IDs use the prefixes the seed's examples show (`agent_`, `ds_`, `int_`, `req_`), which
// the client never relies on.
import { randomBytes } from 'node:crypto';
import type { TwigScope } from '../endpoints.js';

export function twigId(prefix: string): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

export interface KeyRecord {
  scopes: ReadonlySet<TwigScope>;
}

export interface AgentRecord {
  id: string;
  name: string;
  system_prompt?: string;
  rag_strategy: string;
  model: string;
  temperature?: number;
  max_tokens?: number;
  status: string;
  data_source_ids: string[];
  created_at: string;
}

export interface DataSourceRecord {
  id: string;
  type: string;
  name: string;
  config: Record<string, unknown>;
  sync_frequency: string;
  status: string;
  chunks_indexed: number;
  progress_pct: number;
  estimated_completion?: string;
  created_at: string;
}

export interface InteractionRecord {
  id: string;
  agent_id: string;
  session_id: string;
  query: string;
  response: string;
  feedback: 'positive' | 'negative' | null;
  comment?: string;
  latency_ms: number;
  cost_usd: number;
  cited: boolean;
  created_at: string;
}

export interface UserRecord {
  id: string;
  email: string;
  name?: string;
  role: string;
  created_at: string;
}

export interface KbArticleRecord {
  id: string;
  title: string;
  content: string;
  tags: string[];
  status: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export class Store {
  /** By the key itself: an emulator key is a test credential, and the control API hands it out in clear anyway. */
  readonly keys = new Map<string, KeyRecord>();
  readonly agents = new Map<string, AgentRecord>();
  readonly dataSources = new Map<string, DataSourceRecord>();
  readonly interactions = new Map<string, InteractionRecord>();
  readonly users = new Map<string, UserRecord>();
  readonly articles = new Map<string, KbArticleRecord>();

  clear(): void {
    for (const map of [
      this.keys,
      this.agents,
      this.dataSources,
      this.interactions,
      this.users,
      this.articles,
    ]) {
      map.clear();
    }
  }
}

/** One page of `items` in the seed's `{<name>: […], total, limit, offset}` shape (default limit 50). */
export function page<T>(
  items: T[],
  limit = 50,
  offset = 0,
): { items: T[]; total: number; limit: number; offset: number } {
  return { items: items.slice(offset, offset + limit), total: items.length, limit, offset };
}
