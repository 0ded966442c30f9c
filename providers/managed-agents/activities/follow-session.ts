// Following a session until its turn settles, as one heartbeating activity. Everything the step will know of
// the events (count, last ID, latest output, the few latest lines) lives in the heartbeat details, and the
// follower resumes after the last ID those details hold. Details and counts are always one snapshot: an attempt
// that took over from a dead worker starts from the last heartbeat the server kept, and the follower hands it
// every event after that snapshot's ID exactly once, so the count the step receives is exact whether or not the
// dead worker's later heartbeats arrived. The events themselves never enter workflow history.
import { Context } from '@temporalio/activity';
import {
  isSettledStatus,
  MESSAGE_EVENT_TYPE,
  STATUS_EVENT_TYPE,
  type ManagedAgentsClient,
  type SessionEvent,
} from '../index.js';
import { MAX_OUTPUT_CHARS, parseJsonAnswer } from '../../twin/vocabulary/run-output.js';
import type {
  FollowedSession,
  FollowSessionInput,
  SessionProgress,
} from '../workflows/managed-session-api.js';
import type { SessionEventLine } from '../../../workflows/pipeline-definition.js';
import { sessionFailure } from './session-failure.js';

/** Lines of the latest events kept for the live view; each is cut to LINE_CHARS. */
export const LATEST_EVENT_LINES = 5;
const LINE_CHARS = 200;
/** Heartbeats while the stream is quiet, well inside the step's 15 s heartbeat timeout. */
const QUIET_HEARTBEAT_MS = 5_000;

function textOf(event: SessionEvent): string {
  const { data } = event;
  const content = data['content'] ?? data['message'] ?? data['status'];
  const text = typeof content === 'string' ? content : JSON.stringify(data);
  const role = typeof data['role'] === 'string' ? `${data['role']}: ` : '';
  const line = `${role}${text}`.replace(/\s+/g, ' ');
  return line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 1)}…` : line;
}

/** The progress after one more event: a new value, never the old one changed, since heartbeats hold it. */
export function recordEvent(progress: SessionProgress, event: SessionEvent): SessionProgress {
  const line: SessionEventLine = { id: event.id, type: event.type, text: textOf(event) };
  const next: SessionProgress = {
    ...progress,
    lastEventId: event.id,
    eventCount: progress.eventCount + 1,
    latest: [...progress.latest, line].slice(-LATEST_EVENT_LINES),
  };
  const { data } = event;
  if (
    event.type === MESSAGE_EVENT_TYPE &&
    data['role'] === 'assistant' &&
    typeof data['content'] === 'string'
  ) {
    const content = data['content'];
    next.output = content.slice(0, MAX_OUTPUT_CHARS);
    next.outputTruncated = content.length > MAX_OUTPUT_CHARS || undefined;
  }
  if (event.type === 'error' && typeof data['message'] === 'string') next.reason = data['message'];
  if (event.type === STATUS_EVENT_TYPE && typeof data['status'] === 'string') next.status = data['status'];
  return next;
}

function resumedProgress(input: FollowSessionInput): SessionProgress {
  const details = Context.current().info.heartbeatDetails as SessionProgress | undefined;
  if (details?.sessionId === input.sessionId) return details;
  return { sessionId: input.sessionId, lastEventId: input.after, eventCount: 0, latest: [], reconnects: 0 };
}

export async function followSession(
  client: ManagedAgentsClient,
  input: FollowSessionInput,
): Promise<FollowedSession> {
  const context = Context.current();
  let progress = resumedProgress(input);
  // A worker that died between the settling event and its answer: following again would wait for a next turn.
  if (isSettledStatus(progress.status))
    return finished(progress, progress.status ?? 'unknown', progress.reconnects);
  const follower = client.followSession(input.sessionId, {
    after: progress.lastEventId,
    until: 'settled',
    signal: context.cancellationSignal,
  });
  const resumed = progress.reconnects;
  const beat = () => context.heartbeat({ ...progress, reconnects: resumed + follower.stats.reconnects });
  beat();
  const quiet = setInterval(beat, QUIET_HEARTBEAT_MS);
  try {
    for await (const event of follower) {
      progress = recordEvent(progress, event);
      beat();
    }
  } catch (error) {
    throw sessionFailure(error);
  } finally {
    clearInterval(quiet);
  }
  return finished(progress, follower.status ?? 'unknown', resumed + follower.stats.reconnects);
}

function finished(progress: SessionProgress, status: string, reconnects: number): FollowedSession {
  const final = { ...progress, status, reconnects };
  const json =
    final.output !== undefined && !final.outputTruncated ? parseJsonAnswer(final.output) : undefined;
  return json === undefined ? final : { ...final, json };
}
