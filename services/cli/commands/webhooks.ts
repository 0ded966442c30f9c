// Webhook commands. Twin returns a webhook's signing secret exactly once, at creation, so `register` and
// `rotate` store it in the receiver's secrets file (0600, atomic) in the same breath, and undo the creation
// on Twin if the secret cannot be stored: a webhook whose secret is lost would only produce rejected
// deliveries. Rotation keeps the old webhook until it is deleted, so both secrets verify in between.
import type { Command } from 'commander';
import {
  readSecretsFile,
  withoutWebhookEntry,
  withWebhookEntry,
  writeSecretsFile,
} from '../../shared/secrets-file.js';
import { WEBHOOK_PATH } from '../../receiver/webhook-route.js';
import type { TwinClient } from '../../../providers/twin/client/client.js';
import type { CliContext } from '../context.js';
import { CliError, EXIT, usageError } from '../errors.js';
import { checkWebhookUrl, parseWebhookEvents } from '../input.js';
import { table } from '../output.js';

interface Webhook {
  webhook_id: string;
  url: string;
  events: string[];
  status: string;
}

async function defaultUrl(ctx: CliContext, given: string | undefined): Promise<string> {
  if (given) return given;
  const receiverUrl = (await ctx.stackState())?.receiverUrl;
  if (!receiverUrl)
    throw usageError('--url is required', `the public HTTPS URL of your receiver, ending in ${WEBHOOK_PATH}`);
  return `${receiverUrl}${WEBHOOK_PATH}`;
}

export async function checkedUrl(ctx: CliContext, given: string | undefined): Promise<string> {
  const checked = checkWebhookUrl(await defaultUrl(ctx, given));
  if (checked.warning) ctx.out.warn(checked.warning);
  return checked.url;
}

/** Creates the webhook and stores its secret; if storing fails, the webhook is deleted again. */
export async function createAndStore(
  ctx: CliContext,
  twin: TwinClient,
  agentId: string,
  url: string,
  events: string[],
) {
  const file = ctx.config.WEBHOOK_SECRETS_FILE;
  const current = await readSecretsFile(file);
  const created = await twin.createWebhook(agentId, { url, events: parseWebhookEvents(events) });
  try {
    await writeSecretsFile(
      file,
      withWebhookEntry(current, {
        webhook_id: created.webhook_id,
        agent_id: agentId,
        url: created.url,
        signing_secret: created.signing_secret,
        created_at: created.created_at ?? new Date().toISOString(),
      }),
    );
  } catch (error) {
    await twin.deleteWebhook(agentId, created.webhook_id).catch(() => undefined);
    throw new CliError(
      `could not store the signing secret in ${file} (${(error as Error).message}); the webhook was deleted again on Twin`,
      EXIT.internal,
    );
  }
  const { signing_secret: _secret, ...shown } = created;
  return { ...shown, agent_id: agentId, secrets_file: file };
}

async function deleteAndForget(
  ctx: CliContext,
  twin: TwinClient,
  agentId: string,
  webhookId: string,
): Promise<void> {
  await twin.deleteWebhook(agentId, webhookId);
  const file = ctx.config.WEBHOOK_SECRETS_FILE;
  const current = await readSecretsFile(file);
  if (current.webhooks.some((w) => w.webhook_id === webhookId))
    await writeSecretsFile(file, withoutWebhookEntry(current, webhookId));
}

async function pickWebhook(
  twin: TwinClient,
  agentId: string,
  webhookId: string | undefined,
): Promise<Webhook> {
  const { webhooks } = await twin.listWebhooks(agentId);
  if (webhookId) {
    const found = webhooks.find((w) => w.webhook_id === webhookId);
    if (!found) throw new CliError(`agent ${agentId} has no webhook ${webhookId}`, EXIT.notFound);
    return found;
  }
  if (webhooks.length === 1 && webhooks[0]) return webhooks[0];
  throw usageError(
    webhooks.length === 0
      ? `agent ${agentId} has no webhook`
      : `agent ${agentId} has ${webhooks.length} webhooks: say which with --webhook`,
    'see `twinflow webhooks list --agent <id>`',
  );
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerWebhookCommands(program: Command, ctx: () => CliContext): void {
  const webhooks = program
    .command('webhooks')
    .description("manage an agent's Twin webhooks and their signing secrets");

  webhooks
    .command('register')
    .description('create a webhook on Twin and store its signing secret where the receiver reads it')
    .requiredOption('--agent <id>', 'Twin agent ID')
    .option('--url <url>', 'where Twin delivers (default: the local stack receiver)')
    .option('--events <event>', 'event type, repeatable or comma-separated (default: all)', collect)
    .action(async (options: { agent: string; url?: string; events?: string[] }) => {
      const c = ctx();
      const url = await checkedUrl(c, options.url);
      parseWebhookEvents(options.events);
      const { client } = await c.twin();
      const created = await createAndStore(c, client, options.agent, url, options.events ?? []);
      c.out.result(created, () => [
        `registered webhook ${created.webhook_id} for agent ${options.agent} -> ${created.url}`,
        `signing secret stored in ${created.secrets_file} (the receiver picks it up by itself)`,
      ]);
    });

  webhooks
    .command('list')
    .description('list webhooks (of one agent, or of every agent), showing whether their secret is stored')
    .option('--agent <id>', 'Twin agent ID (default: all agents)')
    .action(async (options: { agent?: string }) => {
      const c = ctx();
      const { client } = await c.twin();
      const agentIds = options.agent
        ? [options.agent]
        : (await client.listAgents()).agents.map((a) => a.agent_id);
      const stored = new Set(
        (await readSecretsFile(c.config.WEBHOOK_SECRETS_FILE)).webhooks.map((w) => w.webhook_id),
      );
      const rows: (Webhook & { agent_id: string; secret_stored: boolean })[] = [];
      for (const agentId of agentIds) {
        for (const w of (await client.listWebhooks(agentId)).webhooks) {
          rows.push({
            webhook_id: w.webhook_id,
            url: w.url,
            events: w.events,
            status: w.status,
            agent_id: agentId,
            secret_stored: stored.has(w.webhook_id),
          });
        }
      }
      c.out.result(rows, () =>
        rows.length === 0
          ? 'no webhooks'
          : table(
              ['AGENT', 'WEBHOOK', 'STATUS', 'SECRET', 'URL'],
              rows.map((r) => [
                r.agent_id,
                r.webhook_id,
                r.status,
                r.secret_stored ? 'stored' : 'missing',
                r.url,
              ]),
            ),
      );
    });

  webhooks
    .command('rotate')
    .description(
      'create a new webhook beside the old one; both secrets verify until the old webhook is deleted',
    )
    .requiredOption('--agent <id>', 'Twin agent ID')
    .option('--webhook <id>', 'the webhook to replace (needed when the agent has several)')
    .option('--url <url>', 'a new URL (default: the old one)')
    .option('--delete-old', 'delete the old webhook right after the new secret is stored')
    .action(async (options: { agent: string; webhook?: string; url?: string; deleteOld?: boolean }) => {
      const c = ctx();
      const { client } = await c.twin();
      const old = await pickWebhook(client, options.agent, options.webhook);
      const url = await checkedUrl(c, options.url ?? old.url);
      const created = await createAndStore(c, client, options.agent, url, old.events);
      if (options.deleteOld) await deleteAndForget(c, client, options.agent, old.webhook_id);
      c.out.result({ old: old.webhook_id, new: created, oldDeleted: options.deleteOld === true }, () => [
        `new webhook ${created.webhook_id} registered and its secret stored`,
        options.deleteOld
          ? `old webhook ${old.webhook_id} deleted`
          : `both secrets verify now; finish with: twinflow webhooks delete --agent ${options.agent} --webhook ${old.webhook_id}`,
      ]);
    });

  webhooks
    .command('delete')
    .description('delete a webhook on Twin and forget its secret')
    .requiredOption('--agent <id>', 'Twin agent ID')
    .requiredOption('--webhook <id>', 'webhook ID')
    .action(async (options: { agent: string; webhook: string }) => {
      const c = ctx();
      const { client } = await c.twin();
      await deleteAndForget(c, client, options.agent, options.webhook);
      c.out.result(
        { deleted: options.webhook },
        () => `deleted webhook ${options.webhook} and its stored secret`,
      );
    });
}
