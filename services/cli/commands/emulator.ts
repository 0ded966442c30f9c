// Local work with the emulator of a running `npm start` stack: create agents with scripted runs, change a script,
// list them. A new agent gets a webhook at the stack's receiver unless told otherwise, as every agent a pipeline
// uses should: without one, its runs are only polled and their outcomes stay unknown.
import type { Command } from 'commander';
import { WEBHOOK_EVENTS } from '../../../providers/twin/vocabulary/run-status.js';
import { listAllAgents } from '../../../providers/twin/client/paging.js';
import type { Agent } from '../../../providers/twin/vocabulary/schemas.js';
import {
  EmulatorControl,
  EmulatorControlError,
  type RunBehaviourInput,
} from '../../../providers/twin/emulator/control-client.js';
import type { CliContext } from '../context.js';
import { usageError } from '../errors.js';
import { parseJsonOption } from '../input.js';
import { checkedUrl, createAndStore } from './webhooks.js';

const RUNS_EXAMPLE = '[{"durationMs":500,"outcome":"success","output":"done"}]';

async function emulatorOf(ctx: CliContext): Promise<EmulatorControl> {
  if (ctx.config.TWIN_API_KEY)
    throw usageError('emulator commands work on the local stack, and TWIN_API_KEY points at a real Twin');
  const url = (await ctx.stackState())?.emulator?.url;
  if (!url) throw usageError('no local stack emulator found', 'start one with `npm start`');
  return new EmulatorControl(url);
}

async function parseRuns(raw: string | undefined): Promise<RunBehaviourInput[] | undefined> {
  if (raw === undefined) return undefined;
  const { value, where } = await parseJsonOption(raw, '--runs', RUNS_EXAMPLE);
  if (!Array.isArray(value))
    throw usageError(`${where} must be a JSON array of run behaviours`, `example: --runs '${RUNS_EXAMPLE}'`);
  return value as RunBehaviourInput[];
}

/** The emulator validates scripts itself; its 400 names the field, which is what the user needs to see. */
async function emulatorCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof EmulatorControlError && error.status === 400)
      throw usageError(`the emulator refused the script: ${error.body}`, `example: --runs '${RUNS_EXAMPLE}'`);
    throw error;
  }
}

export function registerEmulatorCommands(program: Command, ctx: () => CliContext): void {
  const agents = program
    .command('emulator')
    .description("the local stack's Twin emulator")
    .command('agents')
    .description('agents of the local emulator, with scripted runs');

  agents
    .command('create')
    .description('create a deployed agent whose runs follow --runs (the last entry repeats)')
    .option('--id <agent>', 'agent ID (default: a UUIDv7 the emulator picks)')
    .option('--runs <json|@file>', `run behaviours, e.g. '${RUNS_EXAMPLE}'`)
    .option('--not-deployed', 'create it not deployed (starts answer 409 unless skip_deploy_check)')
    .option('--no-webhook', "do not register a webhook at the local stack's receiver")
    .action(async (options: { id?: string; runs?: string; notDeployed?: boolean; webhook: boolean }) => {
      const c = ctx();
      const control = await emulatorOf(c);
      const script = await parseRuns(options.runs);
      const agent = await emulatorCall(() =>
        control.createAgent({ agent_id: options.id, deployed: !options.notDeployed, script }),
      );
      const webhook = options.webhook
        ? await createAndStore(c, (await c.twin()).client, agent.agent_id, await checkedUrl(c, undefined), [
            ...WEBHOOK_EVENTS,
          ])
        : undefined;
      c.out.result({ agent, webhook }, () => [
        `created agent ${agent.agent_id}`,
        webhook
          ? `  webhook ${webhook.webhook_id} → ${webhook.url} (secret stored in ${webhook.secrets_file})`
          : `  no webhook: register one with npx twinflow webhooks register --agent ${agent.agent_id}`,
      ]);
    });

  agents
    .command('script')
    .description("replace an agent's run script (the next run takes the first entry)")
    .argument('<agent>', 'agent ID')
    .requiredOption('--runs <json|@file>', `run behaviours, e.g. '${RUNS_EXAMPLE}'`)
    .action(async (agentId: string, options: { runs: string }) => {
      const c = ctx();
      const control = await emulatorOf(c);
      const runs = (await parseRuns(options.runs)) ?? [];
      await emulatorCall(() => control.setScript(agentId, runs));
      c.out.result({ agentId, runs }, () => `script of ${agentId} replaced (${runs.length} behaviour(s))`);
    });

  agents
    .command('list')
    .description('list the agents of the local emulator')
    .action(async () => {
      const c = ctx();
      await emulatorOf(c);
      const { client } = await c.twin();
      const all: Agent[] = [];
      for await (const agent of listAllAgents(client)) all.push(agent);
      c.out.result(all, () =>
        all.length === 0
          ? 'no agents'
          : all.map(
              (a) => `${a.agent_id}  ${a.deployment_state ?? ''}  latest run ${a.latest_run_id || '-'}`,
            ),
      );
    });
}
