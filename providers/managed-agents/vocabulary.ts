// The platform's words for session statuses and event types, which the seed does not spell out
// (docs/managed-agents-contract.md, A4-A5). Statuses stay plain strings everywhere: a word this table does not
// know is treated as "still going", so an unexpected status can delay a result but never invent one.

/** Statuses after which a session changes no more. */
export const TERMINAL_SESSION_STATUSES = ['completed', 'failed', 'cancelled'] as const;

/** Status of a session whose turn has settled and that waits for another user turn. */
export const IDLE_SESSION_STATUS = 'idle';

/** Status of a session whose agent is working on a turn. */
export const RUNNING_SESSION_STATUS = 'running';

/** A status the platform reports for a session; open-ended (see the file comment). */
export type SessionStatus = string;

/** Type of the event that announces a status change; its `data.status` is the new status (A5). */
export const STATUS_EVENT_TYPE = 'session.status';

/** Type of the event carrying a user or assistant message: `data: {role, content}` (A5). */
export const MESSAGE_EVENT_TYPE = 'message';

/** Whether `status` is final: the session will emit no further events. */
export function isTerminalStatus(status: string | undefined): boolean {
  return (TERMINAL_SESSION_STATUSES as readonly string[]).includes(status ?? '');
}

/** Whether the session's current turn is over: idle (waiting for a turn) or terminal. */
export function isSettledStatus(status: string | undefined): boolean {
  return status === IDLE_SESSION_STATUS || isTerminalStatus(status);
}
