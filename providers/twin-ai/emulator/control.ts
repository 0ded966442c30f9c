// How tests script the emulator and read its truth: operations on the running emulator's handle (no HTTP control
// API: the handle is all in-process tests need). The truth view is what Twin really did, whatever the client saw:
// how many asks were performed (a 5xx or a hang-up after performing still counts), which escalations and documents
// exist, and every webhook attempt with its exact body.
import { randomBytes } from 'node:crypto';
import type { AnswerRule, AnswerScript } from './answers.js';
import type { TwinAiEmulatorCore } from './core.js';
import type { ApiFault, FaultsInput } from './faults.js';
import type { RequestLogEntry } from './gate.js';
import type { AskRecord, DocRecord, EscalationRecord } from './store.js';
import type { DeliveryLogEntry, WebhookConfigInput } from './webhooks.js';
import type { TwinAiEndpointName } from '../endpoints.js';

export interface TwinAiTruth {
  /** Asks Twin performed and counted, including those whose answer a fault replaced. */
  asksExecuted: number;
  asks: AskRecord[];
  answersUsed: number;
  monthlyAnswerLimit: number;
  escalations: EscalationRecord[];
  documents: DocRecord[];
  deliveries: DeliveryLogEntry[];
}

export interface TwinAiEmulatorControl {
  /** A fresh key in the seed's shape (`twin_live_sk_…`), accepted from now on; `key` chooses it (a local stack). */
  issueKey(key?: string): string;
  /** Asked first for every question; undefined falls through to the rules, then the KB. */
  setScript(script: AnswerScript | undefined): void;
  /** Replaces the rules; the first whose `match` fits the question answers. */
  setRules(rules: AnswerRule[]): void;
  /** Confidence below this escalates when an answer does not say. */
  setEscalationThreshold(threshold: number): void;
  /** The plan's limit and, optionally, how many answers this month has already used. */
  setMonthlyAnswerLimit(limit: number, used?: number): void;
  setRateLimit(perMinute: number): void;
  /** Replaces every fault rule. */
  setFaults(faults: FaultsInput): void;
  pendingFaults(): { api: ApiFault[]; webhooks: { drop: number; duplicate: number } };
  /** Where `escalation.created` goes, signed with `secret`; undefined stops sending. */
  setWebhooks(config: WebhookConfigInput | undefined): void;
  /** Every public API request, oldest first, with the status it was answered (0: hung up). */
  requests(endpoint?: TwinAiEndpointName): RequestLogEntry[];
  truth(): TwinAiTruth;
  /** Forgets all state, keys included, and goes back to the start's settings. */
  reset(): void;
}

export function createControl(core: TwinAiEmulatorCore): TwinAiEmulatorControl {
  const { store } = core;
  return {
    issueKey(chosen) {
      const key = chosen ?? `twin_live_sk_${randomBytes(16).toString('hex')}`;
      store.keys.add(key);
      return key;
    },
    setScript: (script) => {
      core.answers.script = script;
    },
    setRules: (rules) => {
      core.answers.rules = [...rules];
    },
    setEscalationThreshold: (threshold) => {
      core.answers.threshold = threshold;
    },
    setMonthlyAnswerLimit(limit, used) {
      core.monthlyAnswerLimit = limit;
      if (used !== undefined) store.answersUsed = used;
    },
    setRateLimit: (perMinute) => {
      core.limiter.perMinute = perMinute;
    },
    setFaults: (faults) => core.faults.configure(faults),
    pendingFaults: () => core.faults.pending(),
    setWebhooks: (config) => core.webhooks.configure(config),
    requests: (endpoint) => core.requests.filter((r) => endpoint === undefined || r.endpoint === endpoint),
    truth: () => ({
      asksExecuted: store.asks.length,
      asks: store.asks.map((a) => ({ ...a })),
      answersUsed: store.answersUsed,
      monthlyAnswerLimit: core.monthlyAnswerLimit,
      escalations: [...store.escalations.values()].map((e) => ({ ...e })),
      documents: [...store.docs.values()].map((d) => ({ ...d })),
      deliveries: core.webhooks.deliveries(),
    }),
    reset: () => core.reset(),
  };
}
