// What an agent produced, read from its run's events. Seed 001 documents events only as `{index, event:{<kind>:
// {…}}}` with one example (`started`); integrators find the agent's answer by scanning back from the last event
// for a message/assistant_message/output entry with `text` or `content`. This is that scan, kept tolerant and in
// one place: the kinds and fields it accepts are our assumption (docs/twin-contract.md), so an event it does not
// recognise yields "no output", never an invented one. Pure code: workflows import the types.
import { isOutcome, type Outcome } from './run-status.js';

/** The event kinds searched for the agent's final answer, last first, unless a step names its own. */
export const DEFAULT_OUTPUT_EVENT_KINDS: readonly string[] = ['assistant_message', 'message', 'output'];
/** Kinds whose payload says why a run failed or stopped. */
const REASON_EVENT_KINDS: readonly string[] = ['error', 'failed', 'stopped', 'cancelled'];
/** Roles that are not the agent speaking: a `message` event from the user is not its output. */
const NOT_AGENT_ROLES: readonly string[] = ['user', 'system', 'tool'];

/**
 * Outputs travel in workflow histories (signal and result payloads; Temporal refuses payloads over 2 MB and
 * histories over 50 MB), so the text kept is bounded. A longer answer is cut, flagged, and not parsed as JSON:
 * half a JSON document is not data.
 */
export const MAX_OUTPUT_CHARS = 64 * 1024;

export interface EventLike {
  index: number;
  kind: string;
  event: Record<string, unknown>;
}

export interface RunOutput {
  /** The agent's final answer as text, at most MAX_OUTPUT_CHARS. */
  text?: string;
  /** `text` parsed, when the whole answer (or its one fenced ```json block) is JSON. */
  json?: unknown;
  /** The answer was longer than MAX_OUTPUT_CHARS and `text` holds its beginning. */
  truncated?: boolean;
  /** Why a failed or stopped run ended, as its events say. */
  reason?: string;
  /** An outcome word some event carried; Twin does not document one in events, so only a hint. */
  outcome?: Outcome;
}

/** Scans events from the last back; `kinds` overrides DEFAULT_OUTPUT_EVENT_KINDS. */
export function extractRunOutput(
  events: readonly EventLike[],
  kinds = DEFAULT_OUTPUT_EVENT_KINDS,
): RunOutput {
  const output: RunOutput = {};
  for (let i = events.length - 1; i >= 0; i--) {
    const item = events[i];
    if (!item) continue;
    const payload = payloadOf(item);
    if (output.text === undefined && kinds.includes(item.kind) && isAgentSpeaking(payload)) {
      const text = textOf(payload);
      if (text !== undefined) Object.assign(output, boundedText(text));
    }
    if (output.reason === undefined && REASON_EVENT_KINDS.includes(item.kind)) {
      output.reason = firstString(payload, ['message', 'reason', 'error', 'detail']);
    }
    if (output.outcome === undefined && isOutcome(payload.outcome)) output.outcome = payload.outcome;
  }
  return output;
}

function payloadOf(item: EventLike): Record<string, unknown> {
  const payload = item.event[item.kind];
  return payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>) : {};
}

function isAgentSpeaking(payload: Record<string, unknown>): boolean {
  return typeof payload.role !== 'string' || !NOT_AGENT_ROLES.includes(payload.role);
}

/** `text`, or `content` as a string or as parts `[{type:'text', text}]` (the shape chat APIs use). */
function textOf(payload: Record<string, unknown>): string | undefined {
  const direct = firstString(payload, ['text', 'content', 'output']);
  if (direct !== undefined) return direct;
  const { content } = payload;
  if (!Array.isArray(content)) return undefined;
  const parts = content.flatMap((part: unknown) => {
    if (typeof part === 'string') return [part];
    const text = part !== null && typeof part === 'object' ? (part as { text?: unknown }).text : undefined;
    return typeof text === 'string' ? [text] : [];
  });
  return parts.length > 0 ? parts.join('') : undefined;
}

function firstString(payload: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = payload[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
}

function boundedText(text: string): Pick<RunOutput, 'text' | 'json' | 'truncated'> {
  if (text.length > MAX_OUTPUT_CHARS) return { text: text.slice(0, MAX_OUTPUT_CHARS), truncated: true };
  const json = parseJsonAnswer(text);
  return json === undefined ? { text } : { text, json };
}

const FENCED_JSON = /^```(?:json)?\s*\n([\s\S]*?)\n```$/;

/** Only objects and arrays count: an answer that is the bare word `true` is prose, not data. */
export function parseJsonAnswer(text: string): unknown {
  const trimmed = text.trim();
  const candidate = FENCED_JSON.exec(trimmed)?.[1] ?? trimmed;
  if (!/^[[{]/.test(candidate.trim())) return undefined;
  try {
    return JSON.parse(candidate) as unknown;
  } catch {
    return undefined;
  }
}
