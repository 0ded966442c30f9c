// Pipeline commands: run (optionally waiting with a live view), status, list, cancel, approve, pause, resume,
// and the offline ones, pipelines and graph. They are thin: the control functions (services/control) do the
// work and the HTTP control API shares them, so both surfaces behave the same.
import { rerunPipeline } from '../../control/rerun.js';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import {
  approveStep,
  cancelPipeline,
  getPipelineStatus,
  listPipelines,
  pausePipeline,
  resumePipeline,
  startPipeline,
  type ControlDeps,
  type PipelineRef,
  type PipelineRunStatus,
} from '../../control/pipelines.js';
import type { StartedPipeline } from '../../pipelines/start.js';
import type { PipelineDefinition } from '../../../workflows/pipeline-definition.js';
import type { PipelineRegistry } from '../../pipelines/registry.js';
import {
  PIPELINE_ID_PREFIX,
  PIPELINE_STATUSES,
  pipelineWorkflowId,
  type PipelineStatus,
} from '../../../workflows/pipeline-api.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { parsePipelineInput } from '../input.js';
import { createLiveView, renderStatus } from '../live-view.js';
import { pipelineToMermaid } from '../mermaid.js';
import { table } from '../output.js';
import { schemaLine } from '../schema-line.js';

const POLL_INTERVAL_MS = 1_000;

/** Accepts the workflow ID (`pipeline/<name>/<key>`) or its short form `<name>/<key>`. */
export function parsePipelineId(id: string): PipelineRef {
  const short = id.startsWith(PIPELINE_ID_PREFIX) ? id.slice(PIPELINE_ID_PREFIX.length) : id;
  const slash = short.indexOf('/');
  if (slash <= 0 || slash === short.length - 1) {
    throw usageError(
      `"${id}" is not a pipeline run ID`,
      'IDs look like pipeline/<pipeline>/<key>; see `twinflow list`',
    );
  }
  return { name: short.slice(0, slash), key: short.slice(slash + 1) };
}

function parseStatusFilter(status: string | undefined): PipelineStatus | undefined {
  if (status === undefined) return undefined;
  if (!(PIPELINE_STATUSES as readonly string[]).includes(status)) {
    throw usageError(`unknown status "${status}"`, `one of: ${PIPELINE_STATUSES.join(', ')}`);
  }
  return status as PipelineStatus;
}

/** A pipeline written as code has no state: its search attribute, or else Temporal's COMPLETED, says it. */
function succeeded(status: PipelineRunStatus): boolean {
  const own = status.state?.status ?? (status.kind === 'code' ? (status.status ?? 'succeeded') : undefined);
  return status.execution === 'COMPLETED' && own === 'succeeded';
}

function definitionOf(registry: PipelineRegistry, name: string): PipelineDefinition | undefined {
  const pipeline = registry.get(name);
  return pipeline?.kind === 'declared' ? pipeline.definition : undefined;
}

/**
 * A key names one run for good (REJECT_DUPLICATE), so running it again after that run failed or was cancelled
 * starts nothing: an error, not "already started", or a retrying script would take the old failure for success.
 */
function previousRunError(started: StartedPipeline): CliError | undefined {
  const existing = started.existing;
  if (started.started || !existing || existing.execution === 'RUNNING') return undefined;
  const status = existing.status ?? existing.execution.toLowerCase();
  if (existing.execution === 'COMPLETED' && status === 'succeeded') return undefined;
  return new CliError(
    `pipeline run ${started.workflowId} already ran with this key and ${status === 'completed' ? 'ended' : status}; nothing was started`,
    EXIT.failed,
    `a new --id (or none) starts a new run; \`twinflow status ${started.workflowId}\` shows what happened`,
  );
}

function startedLine(started: StartedPipeline): string {
  if (started.started) return `started ${started.workflowId}`;
  return started.existing?.execution === 'RUNNING'
    ? `already started with this key, still running: ${started.workflowId}`
    : `already ran with this key and succeeded: ${started.workflowId}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the run has closed, drawing each status; returns the last one. */
async function watch(ctx: CliContext, deps: ControlDeps, ref: PipelineRef): Promise<PipelineRunStatus> {
  const definition = definitionOf(deps.registry, ref.name);
  const view = ctx.out.json ? undefined : createLiveView(ctx.out.streams.stdout, definition);
  for (;;) {
    const status = await getPipelineStatus(deps, ref);
    if (status.execution !== 'RUNNING') {
      view?.finish(status);
      return status;
    }
    view?.update(status);
    await sleep(POLL_INTERVAL_MS);
  }
}

function outcomeError(status: PipelineRunStatus): CliError {
  const state = status.state;
  const where = state?.failedStep ? ` at step ${state.failedStep}` : '';
  const why = state?.error ? `: ${state.error}` : '';
  return new CliError(
    `pipeline ${status.workflowId} ended ${state?.status ?? status.execution.toLowerCase()}${where}${why}`,
    EXIT.failed,
  );
}

export function registerPipelineCommands(program: Command, ctx: () => CliContext): void {
  program
    .command('run')
    .description('start a pipeline; with --wait, follow it live and exit 0 only if it succeeded')
    .argument('<pipeline>', 'registered pipeline name (see `twinflow pipelines`)')
    .option('--input <json|@file>', 'pipeline input: a JSON object, or @path to a JSON file')
    .option('--id <key>', 'idempotency key: the same key never starts the pipeline twice')
    .option('--wait', 'follow the run until it ends')
    .action(async (name: string, options: { input?: string; id?: string; wait?: boolean }) => {
      const c = ctx();
      const input = await parsePipelineInput(options.input);
      (await c.registry()).require(name).parseInput(input);
      const deps = await c.control();
      const started = await startPipeline(deps, { name, input, idempotencyKey: options.id });
      const previous = previousRunError(started);
      if (!options.wait) {
        if (previous) throw previous;
        c.out.result(started, () => startedLine(started));
        return;
      }
      if (!previous) c.out.note(startedLine(started));
      const final = await watch(c, deps, { name, key: started.key });
      c.out.result(final, () => []);
      if (previous) throw previous;
      if (!succeeded(final)) throw outcomeError(final);
    });

  program
    .command('status')
    .description("show a pipeline run: each step's state, agent, run ID, attempts and time")
    .argument('<id>', 'pipeline run ID (pipeline/<name>/<key>)')
    .action(async (id: string) => {
      const c = ctx();
      const ref = parsePipelineId(id);
      const deps = await c.control();
      const status = await getPipelineStatus(deps, ref);
      c.out.result(status, () => renderStatus(status, definitionOf(deps.registry, ref.name)));
    });

  program
    .command('rerun')
    .description(
      'start a new run of a finished pipeline run with the same input; --from reuses the results of the steps it does not depend on',
    )
    .argument('<id>', 'pipeline run ID (pipeline/<name>/<key>) of a run that has ended')
    .option(
      '--from <step>',
      'the first step to run again (it and the steps after it run; the others are reused)',
    )
    .option('--id <key>', 'key of the new run (default <key>-rerun-<hex>)')
    .option('--wait', 'follow the new run until it ends')
    .action(async (id: string, options: { from?: string; id?: string; wait?: boolean }) => {
      const c = ctx();
      const ref = parsePipelineId(id);
      const deps = await c.control();
      const started = await rerunPipeline(deps, ref, { from: options.from, key: options.id });
      const reused = started.reused.length > 0 ? `; reused ${started.reused.join(', ')}` : '';
      if (!options.wait) {
        c.out.result(started, () => `rerun of ${id} started as ${started.workflowId}${reused}`);
        return;
      }
      c.out.note(`rerun of ${id} started as ${started.workflowId}${reused}`);
      const final = await watch(c, deps, { name: ref.name, key: started.key });
      c.out.result(final, () => []);
      if (!succeeded(final)) throw outcomeError(final);
    });

  program
    .command('list')
    .description('list pipeline runs, newest first')
    .option('--status <status>', `only runs in this state (${PIPELINE_STATUSES.join(', ')})`)
    .option('--pipeline <name>', 'only runs of this pipeline')
    .option('--agent <id>', 'only runs that used this Twin agent')
    .option('--limit <n>', 'at most this many', (v) => Number.parseInt(v, 10), 50)
    .action(async (options: { status?: string; pipeline?: string; agent?: string; limit: number }) => {
      const c = ctx();
      const status = parseStatusFilter(options.status);
      if (!Number.isInteger(options.limit) || options.limit < 1)
        throw usageError('--limit must be a positive integer');
      const runs = await listPipelines(await c.control(), {
        status,
        pipeline: options.pipeline,
        agentId: options.agent,
        limit: options.limit,
      });
      c.out.result(runs, () =>
        runs.length === 0
          ? 'no pipeline runs match'
          : table(
              ['ID', 'STATUS', 'STARTED', 'CLOSED'],
              runs.map((r) => [
                r.workflowId,
                r.status ?? r.execution.toLowerCase(),
                r.startTime,
                r.closeTime ?? '',
              ]),
            ),
      );
    });

  program
    .command('cancel')
    .description('cancel a pipeline run: in-flight Twin runs are cancelled too')
    .argument('<id>', 'pipeline run ID')
    .option('--reason <text>', 'why, recorded in the workflow history')
    .action(async (id: string, options: { reason?: string }) => {
      const c = ctx();
      const ref = parsePipelineId(id);
      await cancelPipeline(await c.control(), ref, { reason: options.reason });
      c.out.result(
        { workflowId: pipelineWorkflowId(ref.name, ref.key), cancelRequested: true },
        () => `cancellation requested for ${id}`,
      );
    });

  program
    .command('approve')
    .description('approve (or with --reject, reject) a step that waits for approval')
    .argument('<id>', 'pipeline run ID')
    .argument('<step>', 'the approval step')
    .option('--reject', 'reject instead of approve')
    .option('--comment <text>', 'recorded with the decision')
    .option('--by <name>', 'who decides', userInfo().username)
    .action(async (id: string, step: string, options: { reject?: boolean; comment?: string; by: string }) => {
      const c = ctx();
      const state = await approveStep(await c.control(), parsePipelineId(id), {
        stepId: step,
        approved: !options.reject,
        by: options.by,
        comment: options.comment,
      });
      c.out.result(
        state,
        () => `step ${step} ${options.reject ? 'rejected' : 'approved'}: now ${state.status}`,
      );
    });

  program
    .command('pause')
    .description('pause a pipeline run: no new step starts, running steps finish')
    .argument('<id>', 'pipeline run ID')
    .action(async (id: string) => {
      const c = ctx();
      await pausePipeline(await c.control(), parsePipelineId(id));
      c.out.result({ paused: true }, () => `pause requested for ${id}`);
    });

  program
    .command('resume')
    .description('resume a paused pipeline run')
    .argument('<id>', 'pipeline run ID')
    .action(async (id: string) => {
      const c = ctx();
      await resumePipeline(await c.control(), parsePipelineId(id));
      c.out.result({ resumed: true }, () => `resume requested for ${id}`);
    });

  program
    .command('pipelines')
    .description('list the registered pipelines')
    .action(async () => {
      const c = ctx();
      const pipelines = (await c.registry()).list().map((p) => ({
        name: p.name,
        kind: p.kind,
        description: p.description ?? '',
        steps: p.kind === 'declared' ? p.definition.steps.map((s) => s.id) : [],
        triggers: p.kind === 'declared' ? (p.definition.triggers ?? []) : [],
        inputSchema: p.inputJsonSchema(),
      }));
      c.out.result(pipelines, () =>
        pipelines.flatMap((p, i) => [
          ...(i > 0 ? [''] : []),
          `${p.name}  ${p.kind === 'code' ? 'written as code' : `${p.steps.length} steps`}  ${p.description}`.trimEnd(),
          `  input: ${schemaLine(p.inputSchema)}`,
        ]),
      );
    });

  program
    .command('graph')
    .description("print a pipeline's steps as a Mermaid flowchart")
    .argument('<pipeline>', 'registered pipeline name')
    .action(async (name: string) => {
      const c = ctx();
      const definition = (await c.registry()).requireDeclared(name).definition;
      const mermaid = pipelineToMermaid(definition);
      c.out.result({ name, mermaid }, () => mermaid);
    });
}
