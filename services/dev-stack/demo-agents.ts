// The demo agents of the local stack, derived from the project's pipelines rather than listed by hand: every
// role a pipeline leaves to its input (`{{input.agents.<role>}}`) gets an emulator agent `demo-<role>`. The
// stack passes them to its services as TWINFLOW_AGENT_<ROLE>, and the CLI does the same when it talks to the
// stack, so a config that reads those variables (as this repository's examples do) needs no agent IDs:
// `twinflow run nightly-digest --input '{"repo":"acme/shop"}'`.
import type { PipelineRegistry } from '../pipelines/registry.js';
import type { RunBehaviourInput } from '../../providers/twin/emulator/control-client.js';

export interface DemoAgent {
  role: string;
  agentId: string;
  /** The emulator's script: one entry per run, the last one repeating. */
  script: RunBehaviourInput[];
}

/** The example pipeline the banner suggests and the stack's e2e test runs, with its input. */
export const DEMO_PIPELINE = 'nightly-digest';
export const DEMO_INPUT = { repo: 'acme/shop' };

const ROLE_TEMPLATE = /^\{\{\s*input\.agents\.([A-Za-z0-9_-]+)\s*\}\}$/;

/**
 * Roles in first-use order, from the project loaded without any TWINFLOW_AGENT_* set: `twin` the roles of
 * Twin steps, `session` those of managed-agent session steps (demo-sessions.ts), which live on another platform.
 */
export function projectRoles(registry: PipelineRegistry, platform: 'twin' | 'session' = 'twin'): string[] {
  const roles = new Set<string>();
  for (const pipeline of registry.list()) {
    if (pipeline.kind !== 'declared') continue;
    for (const step of pipeline.definition.steps) {
      if ((step.kind === 'session') !== (platform === 'session') || !('agent' in step) || !step.agent)
        continue;
      const role = ROLE_TEMPLATE.exec(step.agent)?.[1];
      if (role) roles.add(role);
    }
  }
  return [...roles];
}

/** Long enough to watch the live view move, short enough for a demo. */
const DEMO_RUN: RunBehaviourInput = { durationMs: 2_000, result: 'completed', outcome: 'success' };

/**
 * What each example role answers, so a pipeline under the documented profile passes real data from step to
 * step: the collector's JSON list reaches the writer, the writer's digest reaches the publisher. Some answers
 * use other event shapes on purpose (Twin's are undocumented), so the demo exercises the tolerant extractor.
 */
const DEMO_OUTPUTS: Record<string, Partial<RunBehaviourInput>> = {
  collector: {
    output: JSON.stringify({
      items: [
        { pr: 412, title: 'Fix rounding of discounts at checkout', author: 'mia' },
        { pr: 415, title: 'Cache product images for 24 hours', author: 'jon' },
        { pr: 417, title: 'Upgrade the payment SDK to v5', author: 'ana' },
      ],
    }),
  },
  writer: {
    output:
      'Nightly digest: 3 changes landed. Checkout rounds discounts correctly (#412), product images are ' +
      'cached for a day (#415), and payments run on SDK v5 (#417).',
    outputField: 'parts',
  },
  publisher: { output: 'Posted the nightly digest (3 changes) to the channel.' },
  linter: { output: JSON.stringify({ errors: 0, warnings: 2, files: 57 }) },
  tester: {
    output: '128 tests passed, 0 failed, 3 skipped.',
    outputEvent: 'message',
    outputField: 'content',
  },
  fixer: { output: 'Nothing to fix: lint and tests were clean.' },
  reporter: { output: 'Report: lint clean (2 warnings), 128 tests passed, no fix was needed.' },
  support: {
    output:
      'Hello! We are sorry the blender broke. We will refund your order #4711 in full, although it is 45 days ' +
      'old, and send a prepaid return label today.',
  },
  analyst: {
    output:
      'Report: agent pipelines fail in three ways — duplicated work on retries, broken streams and lost ' +
      'state. Each has a fix: at-most-once starts, resumable streams, durable workflows.',
  },
  worker: { output: 'Dry run with the new instructions: 3 reminders would be sent; nothing was changed.' },
};

export function demoAgents(roles: readonly string[]): DemoAgent[] {
  return roles.map((role) => ({
    role,
    agentId: `demo-${role}`,
    script: [
      {
        ...DEMO_RUN,
        summary: `The ${role} did its part.`,
        ...DEMO_OUTPUTS[role],
      },
    ],
  }));
}
