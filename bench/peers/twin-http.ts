// The two Twin calls a hand-written integration needs, over plain fetch: start a run, and read one run's status.
// Twin has no GET for a single run, so a status read is the run list filtered to that run ID. Shared by both
// peers' activities; nothing here knows Temporal.

export interface TwinTarget {
  baseUrl: string;
  apiKey: string;
}

/** Run-list words (`finished`, `error`) and webhook words (`completed`) for a run that will not change again. */
const TERMINAL_WORDS = new Set(['finished', 'completed', 'error', 'failed', 'stopped']);

export function isTerminalStatus(word: string): boolean {
  return TERMINAL_WORDS.has(word);
}

async function twinJson<T>(twin: TwinTarget, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${twin.baseUrl}${path}`, {
    ...init,
    headers: { 'x-api-key': twin.apiKey, 'content-type': 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  // Temporal retries the activity on a throw; the message is what shows in the history.
  if (!res.ok) throw new Error(`Twin ${init.method ?? 'GET'} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** POST /runs. Not idempotent: an activity retried after Twin accepted the call starts a second run. */
export async function startTwinRun(twin: TwinTarget, agentId: string, message: string): Promise<string> {
  const body = JSON.stringify({ run_mode: 'run', user_message: message });
  const answer = await twinJson<{ run: { run_id: string } }>(
    twin,
    `/v1/agents/${encodeURIComponent(agentId)}/runs`,
    { method: 'POST', body },
  );
  return answer.run.run_id;
}

export async function twinRunStatus(twin: TwinTarget, agentId: string, runId: string): Promise<string> {
  const query = new URLSearchParams({ filter_run_id: runId, page_size: '1' });
  const answer = await twinJson<{ runs: { run_id: string; status: string }[] }>(
    twin,
    `/v1/agents/${encodeURIComponent(agentId)}/runs?${query}`,
  );
  const run = answer.runs.find((r) => r.run_id === runId);
  if (!run) throw new Error(`Twin does not list run ${runId} of agent ${agentId}`);
  return run.status;
}
