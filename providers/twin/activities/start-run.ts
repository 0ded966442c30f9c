// Starting a Twin run at most once. Twin has no idempotency key, and no document says a run object echoes
// `user_message`, so a start whose answer was lost (timeout, reset, 5xx after Twin created the run) cannot be
// settled by asking Twin "did you start mine?". The protocol (docs/design.md, "Starting a run at most once"):
// - an attempt records in its heartbeat what it knows: posting, rejected (Twin refused: nothing exists) or created;
// - a retry that may follow a created run resolves before it posts: by the marker where run objects echo it, else
//   by adopting the one run of this agent since the first post that no twinflow step claims, once every other
//   holder of the agent's permits has claimed its own run; any remaining doubt is AmbiguousStart, for a person;
// - a new run is posted only when Twin refused the last one, or when nothing unclaimed is listed once the settle
//   window after the last post has passed.
import { ApplicationFailure } from '@temporalio/common';
import { Context, log, sleep } from '@temporalio/activity';
import type { TwinClient } from '../client/client.js';
import { mayHavePerformed } from '../client/errors.js';
import type { Run } from '../vocabulary/schemas.js';
import { mapLimit } from '../../../services/shared/map-limit.js';
import { DISOWNED_TOKEN_PREFIX } from '../workflows/run-tracker-api.js';
import { claimOf, disown, listRunsSince, otherHolders, type ClaimDeps } from './run-claims.js';
import { hasRunMarker, withRunMarker } from './run-marker.js';
import { twinFailure } from './twin-failure.js';

/** How a start found its run: Twin's answer, an earlier attempt of ours, the marker, or adoption. */
export const START_RESOLUTIONS = ['answered', 'recovered', 'marker', 'adopted'] as const;
export type StartResolution = (typeof START_RESOLUTIONS)[number];

/** ApplicationFailure type of a start twinflow cannot settle alone; details[0] is {@link AmbiguousStartDetails}. */
export const AMBIGUOUS_START = 'AmbiguousStart';
/** Retryable failure type of an attempt whose answer was lost: the next attempt resolves before posting. */
export const START_ANSWER_LOST = 'StartAnswerLost';

export interface StartCandidate {
  runId: string;
  startedAt: string;
  status: string;
}

export interface AmbiguousStartDetails {
  agentId: string;
  stepKey: string;
  /** Runs of the agent, started since just before the first post, that no twinflow step claims. */
  candidates: StartCandidate[];
  since: string;
  why: string;
}

/**
 * Twin's and our clocks may disagree (assumption A2): runs are looked for from this much before our first post.
 * Kept small on purpose: a run that started well before we posted is someone else's, and a wide window only
 * offers runs to adopt by mistake.
 */
const CLOCK_SKEW_MARGIN_MS = 10_000;
/**
 * No post starts later than this before the attempt's own start-to-close deadline. An attempt past its deadline
 * has been replaced by the next one, which must be able to see every run this one could have created.
 */
const POST_DEADLINE_MARGIN_MS = 15_000;
/**
 * How long after the last post a run Twin created must be listed (our assumption A3 in docs/twin-contract.md):
 * only then does an empty list prove that nothing was created.
 */
export const START_SETTLE_MS = 20_000;
const RELIST_INTERVAL_MS = 2_000;
/** Tracker lookups are cheap but many on a busy agent; bounded so a resolution cannot flood Temporal. */
const CLAIM_LOOKUPS_IN_FLIGHT = 8;

/** What an attempt knew when it ended, kept by Temporal as heartbeat details for the next attempt. */
type StartProgress =
  | { phase: 'posting'; firstPostAt: number; lastPostAt: number }
  | { phase: 'rejected'; firstPostAt: number; lastPostAt: number }
  | { phase: 'created'; firstPostAt: number; lastPostAt: number; run: Run };

export interface StartRequest {
  agentId: string;
  runMode?: 'build' | 'run';
  userMessage?: string;
  skipDeployCheck?: boolean;
  stepKey: string;
  /** The workflow the run is for: it subscribes at the run's tracker. */
  workflowId: string;
  /** Names the runAgent attempt: the permit it holds and its subscription at the tracker. */
  token: string;
  marker: string;
}

export interface StartDeps extends ClaimDeps {
  twin: TwinClient;
}

export interface ResolvedStart {
  run: Run;
  resolution: StartResolution;
}

/** Returns the run this start owns, posting at most once per proof that no earlier post created one. */
export async function startRunOnce(deps: StartDeps, request: StartRequest): Promise<ResolvedStart> {
  const { info } = Context.current();
  const prior = progressOf(info.heartbeatDetails);
  if (prior?.phase === 'created') return { run: prior.run, resolution: 'recovered' };
  if (info.attempt > 1 && prior?.phase !== 'rejected') {
    const since = prior?.firstPostAt ?? info.scheduledTimestampMs;
    // An earlier attempt may have posted up to its deadline, which lies before this attempt was scheduled, and
    // its last heartbeat may never have reached Temporal: the settle window counts from this attempt's start.
    const settleFrom = Math.max(prior?.lastPostAt ?? 0, info.currentAttemptScheduledTimestampMs);
    const found = await resolveLostStart(deps, request, since, settleFrom);
    if (found) {
      record({
        phase: 'created',
        firstPostAt: since,
        lastPostAt: prior?.lastPostAt ?? since,
        run: found.run,
      });
      return found;
    }
  }
  return { run: await post(deps, request, prior?.firstPostAt), resolution: 'answered' };
}

async function post(deps: StartDeps, request: StartRequest, firstPostAt: number | undefined): Promise<Run> {
  ensureTimeLeft(request, 'post a run');
  const lastPostAt = Date.now();
  const progress = { firstPostAt: firstPostAt ?? lastPostAt, lastPostAt };
  record({ phase: 'posting', ...progress });
  try {
    const body = {
      run_mode: request.runMode ?? 'run',
      user_message: withRunMarker(request.userMessage, request.marker),
      skip_deploy_check: request.skipDeployCheck,
    } as const;
    const { run } = await deps.twin.startRun(request.agentId, body, { signal: cancellation() });
    record({ phase: 'created', ...progress, run });
    return run;
  } catch (error) {
    if (!mayHavePerformed(error)) {
      record({ phase: 'rejected', ...progress });
      throw twinFailure(error);
    }
    throw ApplicationFailure.create({
      type: START_ANSWER_LOST,
      message: `the start of a run of agent ${request.agentId} got no usable answer (${String(error)}); the next attempt looks for that run before it starts another`,
      cause: error instanceof Error ? error : undefined,
    });
  }
}

/**
 * Finds the run an earlier post may have created. Undefined means: nothing was created, post again. Throws
 * AmbiguousStart when runs exist that could be ours but twinflow cannot tell which, or whose they are.
 */
async function resolveLostStart(
  deps: StartDeps,
  request: StartRequest,
  firstPostAt: number,
  settleFrom: number,
): Promise<ResolvedStart | undefined> {
  // A run is adopted only when two looks RELIST_INTERVAL_MS apart agree: a query shows a tracker's state as of
  // its last workflow task, so a subscription still queued there can make a claimed run look unclaimed once.
  let adoptable: string | undefined;
  for (;;) {
    const settleLeft = settleFrom + START_SETTLE_MS - Date.now();
    const look = await lookAtRuns(deps, request, firstPostAt, settleLeft <= 0);
    if (look !== 'wait' && look.resolution !== 'adopted') return look;
    if (look !== 'wait' && look.run.run_id === adoptable) {
      log.warn('adopting the one unclaimed run after a lost start answer', {
        agentId: request.agentId,
        runId: look.run.run_id,
      });
      return look;
    }
    adoptable = look === 'wait' ? undefined : look.run.run_id;
    if (look === 'wait' && settleLeft <= 0) {
      log.info('no run of a lost start is listed after the settle window; starting one', {
        agentId: request.agentId,
        stepKey: request.stepKey,
      });
      return undefined;
    }
    ensureTimeLeft(request, 'look for the run again');
    Context.current().heartbeat(Context.current().info.heartbeatDetails);
    await sleep(RELIST_INTERVAL_MS);
  }
}

/**
 * Throws a retryable failure, posting nothing, when this attempt is too close to its deadline: the next attempt
 * takes over with the same heartbeat details, so nothing is lost but the time.
 */
function ensureTimeLeft(request: StartRequest, what: string): void {
  const { info } = Context.current();
  const deadline = info.currentAttemptScheduledTimestampMs + info.startToCloseTimeoutMs;
  if (deadline - Date.now() >= POST_DEADLINE_MARGIN_MS) return;
  throw ApplicationFailure.create({
    type: START_ANSWER_LOST,
    message: `not enough time left in this attempt to ${what} for agent ${request.agentId}; the next attempt goes on`,
  });
}

/** Aborts a Twin call when Temporal cancels or times out this attempt, so a replaced attempt stops posting. */
function cancellation(): AbortSignal {
  return Context.current().cancellationSignal;
}

/**
 * One look at Twin's run list and at what twinflow knows. `wait` means: look again, the picture may still change
 * (nothing is listed yet, or another step's start is still unaccounted for); `final` turns a remaining doubt into
 * AmbiguousStart. An `adopted` answer is a candidate that the caller confirms with a second look.
 */
async function lookAtRuns(
  deps: StartDeps,
  request: StartRequest,
  firstPostAt: number,
  final: boolean,
): Promise<ResolvedStart | 'wait'> {
  const oursFrom = firstPostAt - CLOCK_SKEW_MARGIN_MS;
  const ours = new Date(oursFrom).toISOString();
  const inOurWindow = (run: Run) => Date.parse(run.started_at) >= oursFrom;
  const others = await otherHolders(deps, request.agentId, request.token);
  // Other holders' runs may have started before ours: their claims are read from as far back as their grants.
  const earliest = Math.min(firstPostAt, ...others.map((permit) => permit.grantedAt));
  const runs = await listRunsSince(
    deps.twin,
    request.agentId,
    new Date(earliest - CLOCK_SKEW_MARGIN_MS).toISOString(),
    cancellation(),
  );
  const inWindow = runs.filter(inOurWindow);
  // Where Twin echoes the message on run objects the marker is proof, in both directions.
  if (runs.some((run) => typeof run.user_message === 'string')) {
    const marked = inWindow.find((run) =>
      hasRunMarker(run.user_message as string | undefined, request.marker),
    );
    if (marked) return { run: marked, resolution: 'marker' };
    return 'wait';
  }
  const claimedTokens = new Set<string>();
  const unclaimed: Run[] = [];
  const quarantined: Run[] = [];
  const ownable = runs.filter((run) => !startedOutsideTwinflow(run));
  const claims = await mapLimit(ownable, CLAIM_LOOKUPS_IN_FLIGHT, (run) => claimOf(deps, run.run_id));
  for (const [i, claim] of claims.entries()) {
    const run = ownable[i] as Run;
    if (claim === 'unreadable') continue;
    if (claim.tokens.includes(request.token)) return { run, resolution: 'recovered' };
    claim.tokens.forEach((token) => claimedTokens.add(token));
    const owners = claim.tokens.filter((token) => !token.startsWith(DISOWNED_TOKEN_PREFIX));
    if (owners.length > 0 || !inOurWindow(run)) continue;
    if (owners.length < claim.tokens.length) quarantined.push(run);
    else unclaimed.push(run);
  }
  const starting = others.filter((permit) => !claimedTokens.has(permit.token)).length;
  const [only] = unclaimed;
  if (only && unclaimed.length === 1 && starting === 0 && quarantined.length === 0)
    return { run: only, resolution: 'adopted' };
  const doubtful = [...unclaimed, ...quarantined];
  if (doubtful.length === 0 || !final) return 'wait';
  // Named candidates stay quarantined: another start of this agent must not take one of them for its own.
  await disown(deps, unclaimed, request);
  const why =
    starting > 0
      ? `${doubtful.length} unclaimed run(s) of the agent exist while ${starting} other step(s) of the same agent are still starting theirs`
      : `${doubtful.length} run(s) of the agent started since then could be this step's, and twinflow cannot tell which`;
  throw ambiguousStart(request, doubtful, ours, why);
}

/**
 * An adoption is a deduction; a step whose start Twin answered knows. If such a step has meanwhile subscribed to
 * the adopted run (read after our own subscription), the deduction was wrong: fail rather than share its result.
 */
export async function confirmAdoption(deps: StartDeps, request: StartRequest, run: Run): Promise<void> {
  const claim = await claimOf(deps, run.run_id);
  const others = claim === 'unreadable' ? [] : claim.tokens.filter((token) => token !== request.token);
  if (others.length > 0)
    throw ambiguousStart(request, [run], run.started_at, 'the run it adopted is claimed by another step');
}

/** Seed 000 names the schedule or webhook subscription that started a run; where Twin says so, it is not ours. */
function startedOutsideTwinflow(run: Run): boolean {
  return Boolean(run.schedule_agent_id) || Boolean(run.webhook_subscription_id);
}

function ambiguousStart(request: StartRequest, runs: Run[], since: string, why: string): ApplicationFailure {
  const candidates = runs.map((run) => ({
    runId: run.run_id,
    startedAt: run.started_at,
    status: run.status,
  }));
  const details: AmbiguousStartDetails = {
    agentId: request.agentId,
    stepKey: request.stepKey,
    candidates,
    since,
    why,
  };
  const list = candidates.map((c) => `${c.runId} (${c.status}, started ${c.startedAt})`).join(', ');
  return ApplicationFailure.create({
    type: AMBIGUOUS_START,
    message:
      `step ${request.stepKey}: cannot tell whether Twin started a run of agent ${request.agentId} after a lost ` +
      `start answer: ${why}: ${list}. twinflow did not start another, so the agent cannot act twice; check these ` +
      'runs in Twin, then rerun the step.',
    nonRetryable: true,
    details: [details],
  });
}

function record(progress: StartProgress): void {
  Context.current().heartbeat(progress);
}

function progressOf(details: unknown): StartProgress | undefined {
  if (details === null || typeof details !== 'object') return undefined;
  const phase = (details as { phase?: unknown }).phase;
  return phase === 'posting' || phase === 'rejected' || phase === 'created'
    ? (details as StartProgress)
    : undefined;
}
