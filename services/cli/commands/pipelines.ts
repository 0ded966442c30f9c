// Pipeline commands: run (optionally waiting with a live view), status, list, cancel, approve, pause, resume,
// and the offline ones, pipelines and graph. They are thin: the control functions (services/control) do the
// work and the HTTP control API shares them, so both surfaces behave the same.
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
import {
  PIPELINE_ID_PREFIX,
  PIPELINE_STATUSES,
  pipelineWorkflowId,
  type PipelineStatus,
} from '../../../workflows/pipeline-visibility.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { parsePipelineInput } from '../input.js';
import { createLiveView, renderStatus } from '../live-view.js';
import { pipelineToMermaid } from '../mermaid.js';
import { table } from '../output.js';

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

function succeeded(status: PipelineRunStatus): boolean {
  return status.execution === 'COMPLETED' && status.state?.status === 'succeeded';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until the run has closed, drawing each status; returns the last one. */
async function watch(ctx: CliContext, deps: ControlDeps, ref: PipelineRef): Promise<PipelineRunStatus> {
  const definition = deps.registry.get(ref.name)?.definition;
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
      if (!options.wait) {
        c.out.result(started, () =>
          started.started
            ? `started ${started.workflowId}`
            : `already started with this key: ${started.workflowId}`,
        );
        return;
      }
      c.out.note(
        started.started
          ? `started ${started.workflowId}`
          : `following the run already started with this key: ${started.workflowId}`,
      );
      const final = await watch(c, deps, { name, key: started.key });
      c.out.result(final, () => []);
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
      c.out.result(status, () => renderStatus(status, deps.registry.get(ref.name)?.definition));
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
        description: p.definition.description ?? '',
        steps: p.definition.steps.map((s) => s.id),
        triggers: p.definition.triggers ?? [],
      }));
      c.out.result(pipelines, () =>
        table(
          ['NAME', 'STEPS', 'DESCRIPTION'],
          pipelines.map((p) => [p.name, String(p.steps.length), p.description]),
        ),
      );
    });

  program
    .command('graph')
    .description("print a pipeline's steps as a Mermaid flowchart")
    .argument('<pipeline>', 'registered pipeline name')
    .action(async (name: string) => {
      const c = ctx();
      const definition = (await c.registry()).require(name).definition;
      const mermaid = pipelineToMermaid(definition);
      c.out.result({ name, mermaid }, () => mermaid);
    });
}
