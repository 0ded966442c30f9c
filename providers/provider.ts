// The process side of the provider seam: what the worker, the receiver and the dev stack need of a platform. Its
// workflow side is a StepKinds map (workflows/step-kind.ts), registered in workflows/providers.ts; this side is a
// Provider, registered in providers/registry.ts under the same name (the type checker holds the two lists
// together). Nothing here is secret-bearing by itself: a client holds its key, and activities receive the client,
// so keys never enter workflow arguments or history.
import type Router from '@koa/router';
import type { Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { Logger } from 'pino';
import { ConfigError, type Config } from '../services/shared/config.js';
import type { ReceiverMetrics } from '../services/receiver/metrics.js';
import type { EventHandoff } from '../services/receiver/handoff.js';
import type { ProviderEventHandoff } from '../services/receiver/provider-handoff.js';
import type { SecretSource } from '../services/receiver/secrets.js';
import type { StepState } from '../workflows/pipeline-definition.js';

/** What a queue's activity factory is given. */
export interface ProviderActivityDeps<C> {
  /** The provider's client; absent when it is not configured, and then its steps fail naming the setting. */
  client: C | undefined;
  config: Config;
  /** For activities that signal or start workflows (run claims, lane permits). */
  temporal: Client;
  logger?: Logger;
}

/** One task queue a provider's activities run on, so one platform's limits never slow another's. */
export interface ProviderQueue<C> {
  /** Appended to TEMPORAL_TASK_QUEUE; '' is the main queue, where the workflows run too. */
  suffix: string;
  activities(deps: ProviderActivityDeps<C>): object;
  /** A server-side activities/s cap that holds across every worker; none when absent. */
  ratePerSecond?(config: Config): number;
  /** The longest a heartbeat waits to reach the server: progress shows this late at most. */
  heartbeatThrottle?: Duration;
}

/** What the receiver lends a provider's webhook route. */
export interface WebhookRouteDeps {
  config: Config;
  metrics: ReceiverMetrics;
  /** Twin's signing secrets (env and the secrets file, rotated without a restart). */
  secrets: SecretSource;
  /** Twin run events: signal-with-start of the run's tracker. */
  handoff: EventHandoff;
  /** Other platforms' events: a `provider-event/<provider>/<key>` start; absent where the receiver serves only Twin. */
  providerHandoff?: ProviderEventHandoff;
}

/**
 * How the local stack runs a provider's emulator when the user set no key of their own: the process, the key and
 * signing secret it makes up for this start, and where the emulator delivers its webhooks.
 */
export interface EmulatorSpec {
  /** As the start banner names it. */
  label: string;
  /** Its main.ts, from the package root. */
  entry: string;
  /** The setting whose absence makes the stack run the emulator, and which then carries its key. */
  keyVariable: keyof Config & string;
  baseUrlVariable: keyof Config & string;
  secretsVariable: keyof Config & string;
  port(config: Config): number;
  /** How the emulator's main.ts is told its port and the receiver's route for its webhooks. */
  portVariable: string;
  webhookUrlVariable: string;
  /** The receiver's route for this provider's webhooks. */
  webhookPath: string;
  newKey(): string;
  /** An authenticated read that answers 200 once the emulator serves. */
  readyPath: string;
  extraEnv?: Record<string, string>;
}

export interface Provider<C> {
  /** The platform's name as people read it ("Twin.ai"). */
  label: string;
  /** The client from settings; undefined when the key is not set. Throws ConfigError for a malformed setting. */
  client(config: Config): C | undefined;
  /** Its task queues by role; a role two providers share (the main queue) gets both sets of activities. */
  queues: Record<string, ProviderQueue<C>>;
  /** Its webhook route (`POST /webhooks/<name>`), where it sends any. */
  webhook?(deps: WebhookRouteDeps): Router;
  /** Its emulator, for the local stack. */
  emulator?: EmulatorSpec;
  /**
   * Per activity type: what a pending activity's last heartbeat adds to the running step it belongs to (live
   * progress that stays out of workflow history); undefined when the heartbeat is another step's.
   */
  progress?: Record<string, (step: StepState, heartbeat: unknown) => StepState | undefined>;
}

/** The client type a provider builds. */
export type ClientOf<P> = P extends Provider<infer C> ? C : never;

/** A client when its key is set; a key or address of the wrong shape is refused like any other setting. */
export function clientWhenKeyed<C>(
  apiKey: string | undefined,
  settings: string,
  build: (apiKey: string) => C,
): C | undefined {
  if (!apiKey) return undefined;
  try {
    return build(apiKey);
  } catch (error) {
    // The client's message names the problem and never shows the key.
    throw new ConfigError([`${settings}: ${(error as Error).message}`]);
  }
}
