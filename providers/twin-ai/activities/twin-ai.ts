// The Twin.ai activities a pipeline's Twin.ai steps call (providers/twin-ai/workflows/twin-ai-api.ts), bound to one client. They
// run on their own task queue with Twin.ai's rate budget. A worker without a Twin.ai key still registers them, so
// a step that needs them fails at once with a message naming the setting, rather than waiting on a queue nobody
// polls. Writes go out at most once (twin-ai-failure.ts); where a lost answer can be settled by looking, it is:
// - an ask cannot: an answer that did not escalate leaves no trace, and one that did leaves no response to read,
//   so the step fails TwinAiAskUnconfirmed (it spent an answer, maybe opened an escalation; a person decides);
// - a document create is looked for by title among the documents created since the step asked (A4, A9);
// - a resolve is looked for in the resolved escalations;
// - a delete is idempotent, and a 404 after an attempt that may have deleted it counts as done (A10).
import { ApplicationFailure } from '@temporalio/common';
import { TwinAiApiError, type Escalation, type KbDocSummary, type TwinAiClient } from '../index.js';
import {
  TWIN_AI_FAILURES,
  type AddTwinAiDocInput,
  type AddedTwinAiDoc,
  type AskTwinAiInput,
  type TwinAiActivities,
  type TwinAiAnswer,
} from '../workflows/twin-ai-api.js';
import { twinAiFailure, writeOnce } from './twin-ai-failure.js';
import { mark, sentBefore } from '../../shared/write-progress.js';

/** Twin.ai's clock may run behind ours: records are looked for from this much before the step asked. */
const CLOCK_SKEW_MARGIN_MS = 10_000;
/** The seed's largest list page; what lies beyond it is not looked at, and the doubt stays. */
const LIST_LIMIT = 200;

const since = (requestedAt: string) => Date.parse(requestedAt) - CLOCK_SKEW_MARGIN_MS;

/** A record without a creation time cannot be ruled out by time, so it stays a candidate. */
const createdSince = (record: { createdAt?: string | null }, sinceMs: number) =>
  !record.createdAt || Date.parse(record.createdAt) >= sinceMs;

const present = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/**
 * The escalation an escalating answer opened: the one open escalation asked since the step asked with the same
 * question and asker. Best effort: the answer is already spent, so no list failure may fail the ask.
 */
async function escalationOf(client: TwinAiClient, input: AskTwinAiInput): Promise<string | undefined> {
  const askedBy = input.askedBy ?? 'API';
  const open = await client.listEscalations({ status: 'open', limit: LIST_LIMIT }).catch(() => undefined);
  const fits = (open?.escalations ?? []).filter(
    (e: Escalation) =>
      e.question === input.message &&
      (!e.askedBy || e.askedBy === askedBy) &&
      createdSince(e, since(input.requestedAt)),
  );
  return fits.length === 1 ? fits[0]?.id : undefined;
}

async function ask(client: TwinAiClient, input: AskTwinAiInput): Promise<TwinAiAnswer> {
  const { message, context, askedBy } = input;
  const answer = await writeOnce(
    () => client.ask({ message, context, askedBy }),
    () => {
      throw ApplicationFailure.nonRetryable(
        "the ask was sent but its answer was lost; not asked again, since Twin.ai may have answered it (spending one of the month's answers) and opened an escalation: look in its escalations before asking again",
        TWIN_AI_FAILURES.askUnconfirmed,
      );
    },
  );
  return {
    response: answer.response,
    confidence: answer.confidence,
    shouldEscalate: answer.shouldEscalate,
    escalateReason: present(answer.escalateReason),
    sources: present(answer.sources),
    escalationId: answer.shouldEscalate ? await escalationOf(client, input) : undefined,
  };
}

/** Documents titled so and created since the step asked: what a create with a lost (or empty) answer made. */
async function docsTitled(client: TwinAiClient, input: AddTwinAiDocInput): Promise<KbDocSummary[]> {
  const { docs } = await client.listDocs({ limit: LIST_LIMIT });
  return docs.filter((d) => d.title === input.title && createdSince(d, since(input.requestedAt)));
}

async function addDoc(client: TwinAiClient, input: AddTwinAiDocInput): Promise<AddedTwinAiDoc> {
  const created = await writeOnce(
    async () => {
      const { doc } = await client.createDoc({ title: input.title, content: input.content });
      return { documentId: doc?.id, adopted: false };
    },
    async () => {
      const [found, ...others] = await docsTitled(client, input);
      if (found && others.length === 0) return { documentId: found.id, adopted: true };
      const seen = found ? `${others.length + 1} documents` : 'no document';
      throw ApplicationFailure.nonRetryable(
        `the create of document "${input.title}" was sent but its answer was lost, and ${seen} by that title were created since; not created again, since it may exist`,
        TWIN_AI_FAILURES.writeUnconfirmed,
      );
    },
  );
  if (created.documentId !== undefined) return created;
  // The seed shows no answer to a create (A4): the ID, when Twin.ai sent none, is looked up, never made up.
  const matches = await docsTitled(client, input).catch(() => []);
  return { documentId: matches.length === 1 ? matches[0]?.id : undefined, adopted: false };
}

async function deleteDoc(client: TwinAiClient, documentId: string) {
  const earlier = sentBefore();
  mark('sending');
  try {
    await client.deleteDoc(documentId);
    return { alreadyGone: false };
  } catch (error) {
    const retried =
      error instanceof TwinAiApiError && error.status === 404 && (earlier || error.attempts > 1);
    if (retried) return { alreadyGone: true };
    throw twinAiFailure(error);
  }
}

async function resolve(client: TwinAiClient, escalationId: string) {
  return writeOnce(
    async () => {
      await client.resolveEscalation(escalationId);
      return { confirmedByList: false };
    },
    async () => {
      const { escalations } = await client.listEscalations({ status: 'resolved', limit: LIST_LIMIT });
      if (escalations.some((e) => e.id === escalationId)) return { confirmedByList: true };
      throw ApplicationFailure.nonRetryable(
        `the resolve of escalation ${escalationId} was sent but its answer was lost, and Twin.ai's resolved escalations do not show it; not sent again`,
        TWIN_AI_FAILURES.writeUnconfirmed,
      );
    },
  );
}

function notConfigured(): never {
  throw ApplicationFailure.nonRetryable(
    'Twin.ai is not configured on this worker: set TWIN_AI_API_KEY (and TWIN_AI_BASE_URL to use another address than https://api.twin.ai)',
    TWIN_AI_FAILURES.notConfigured,
  );
}

/** The activities; without a client every one fails with TwinAiNotConfigured. */
export function createTwinAiActivities(deps: { client?: TwinAiClient }): TwinAiActivities {
  const { client } = deps;
  return {
    askTwinAi: async (input) => (client ? ask(client, input) : notConfigured()),
    addTwinAiDoc: async (input) => (client ? addDoc(client, input) : notConfigured()),
    deleteTwinAiDoc: async (input) => (client ? deleteDoc(client, input.documentId) : notConfigured()),
    resolveTwinAiEscalation: async (input) =>
      client ? resolve(client, input.escalationId) : notConfigured(),
  };
}
