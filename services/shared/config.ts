// The one place that reads the environment. Every process calls loadConfig() at start-up and fails fast with
// a message naming every bad variable, instead of failing later deep inside a request.
import { z } from 'zod';
import { zodIssueLines } from './zod-issues.js';
import { DEFAULT_PROFILE, PROFILES } from '../../providers/twin/emulator/profile.js';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
/** Comma-separated secrets: unset or empty means none, but an empty item ("a,,b", "a, ") is a mistake, not a skip. */
const secretList = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? [] : v.split(',').map((s) => s.trim())))
  .pipe(z.array(z.string().min(1, 'must not contain an empty secret')));

export const configSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  TEMPORAL_ADDRESS: z.string().min(1).default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('twinflow'),
  /** Server-side activities/s cap on the Twin API task queue: holds across every worker process. */
  TWIN_API_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(20),

  TWIN_API_BASE_URL: z.url().default('https://build.twin.so'),
  TWIN_API_KEY: z.string().min(1).optional(),
  TWIN_API_TIMEOUT_MS: positiveInt.default(10_000),

  /** The managed-agent platform (seed 004) behind `session` steps; without a key those steps fail at once. */
  MANAGED_AGENTS_BASE_URL: z.url().optional(),
  MANAGED_AGENTS_API_KEY: z.string().min(1).optional(),
  /** Server-side activities/s cap on the managed-agent task queue, separate from Twin's budget. */
  MANAGED_AGENTS_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(10),

  /** Twin.ai (seed 003) behind `twinai.*` steps; without a key those steps fail at once. */
  TWIN_AI_API_KEY: z.string().min(1).optional(),
  TWIN_AI_BASE_URL: z.url().default('https://api.twin.ai'),
  /**
   * Server-side activities/s cap on the Twin.ai task queue, across every worker. Twin.ai limits each key per
   * minute (the seed's example: 60), so the default spends that minute evenly; the client still waits out any 429.
   */
  TWIN_AI_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(1),

  /** Twig (seed 002) behind `twig.*` steps; without a key those steps fail at once. Default: providers/twig. */
  TWIG_API_KEY: z.string().min(1).optional(),
  TWIG_BASE_URL: z.url().optional(),
  /**
   * Server-side activities/s cap on the Twig task queue, across every worker. Twig limits each key per minute and
   * scope (Write: 10/min), and the client waits out the rest, so this only spreads a burst of steps out.
   */
  TWIG_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(2),
  /** Per Twig request; the seed says a query takes "1-5s depending on RAG strategy". */
  TWIG_TIMEOUT_MS: positiveInt.default(30_000),

  RECEIVER_HOST: z.string().min(1).default('0.0.0.0'),
  RECEIVER_PORT: port.default(8787),
  /** Comma-separated; several at once during rotation. Merged with the secrets file. */
  WEBHOOK_SIGNING_SECRETS: secretList,
  /** Signing secrets of the Twin.ai and Twig webhook routes, comma-separated like WEBHOOK_SIGNING_SECRETS. */
  TWIN_AI_WEBHOOK_SECRETS: secretList,
  TWIG_WEBHOOK_SECRETS: secretList,
  WEBHOOK_SECRETS_FILE: z.string().min(1).default('.twinflow/webhook-secrets.json'),
  WEBHOOK_MAX_BODY_BYTES: positiveInt.default(256 * 1024),
  /** Twin retries late deliveries for a long time; a narrow window would reject genuine retries. */
  WEBHOOK_TIMESTAMP_TOLERANCE_SECONDS: positiveInt.default(3 * 24 * 3600),
  /** Temporal hand-off deadline; well under Twin's 10 s delivery timeout. */
  WEBHOOK_HANDOFF_TIMEOUT_MS: positiveInt.default(5_000),
  CONTROL_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),

  /** Interface of the worker's Prometheus endpoint; 127.0.0.1 keeps it off the network. */
  WORKER_METRICS_HOST: z.string().min(1).default('0.0.0.0'),
  WORKER_METRICS_PORT: port.default(9464),
  /**
   * How long a stopping worker lets in-flight activities finish before it cancels them; with the 20 s it then
   * gives them to stop (services/worker/worker.ts) a stop fits in Kubernetes' default 30 s grace period.
   */
  WORKER_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).default(5),
  /** Per-run silence after which the run tracker polls Twin instead of waiting for a webhook. */
  RUN_RECONCILE_AFTER_SECONDS: positiveInt.default(60),
  AGENT_CONCURRENCY_DEFAULT: positiveInt.default(1),
  /** How long an agent lane lets a permit be held before it checks that the holder workflow is still running. */
  AGENT_LANE_HOLDER_CHECK_SECONDS: positiveInt.default(60),
  /** Activities/s for reconciliation polls, on their own task queue so they never starve starts and cancels. */
  TWIN_POLL_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(5),

  EMULATOR_HOST: z.string().min(1).default('127.0.0.1'),
  EMULATOR_PORT: port.default(8788),
  /** The local stack's managed-agent platform emulator, started when MANAGED_AGENTS_API_KEY is not set. */
  MANAGED_AGENTS_EMULATOR_PORT: port.default(8789),
  /** The local stack's Twin.ai and Twig emulators, started when their API keys are not set. */
  TWIN_AI_EMULATOR_PORT: port.default(8790),
  TWIG_EMULATOR_PORT: port.default(8791),
  EMULATOR_STATE_FILE: z.string().min(1).optional(),
  /** Answer errors in the seed-000 shape `{error:{code,message}}` instead of problem+json. */
  EMULATOR_LEGACY_ERRORS: z.stringbool().default(false),
  /** `documented`: only what Twin's documents promise (docs/twin-contract.md); `rich`: seed 000's extras too. */
  EMULATOR_PROFILE: z.enum(PROFILES).default(DEFAULT_PROFILE),

  /** Web UI port of the dev server `npm start` runs; its gRPC port is the one in TEMPORAL_ADDRESS. */
  TEMPORAL_UI_PORT: port.default(8233),
  /** Where `npm start` keeps its state (Temporal's SQLite file, the emulator's state, the control token). */
  TWINFLOW_DATA_DIR: z.string().min(1).default('.data'),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(zodIssueLines(parsed.error, { root: '' }));
  }
  return parsed.data;
}
