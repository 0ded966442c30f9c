// The provider seam's two lists (workflows/providers.ts for the bundle, providers/registry.ts for processes) and
// what the rest of twinflow derives from them: every kind runnable and checkable, every queue distinct, every
// provider with trigger events reachable by a webhook route.
import { describe, expect, it } from 'vitest';
import { PROVIDER_RUNTIMES } from '../../providers/registry.js';
import { loadConfig } from '../../services/shared/config.js';
import { findDefinitionProblems } from '../../workflows/pipeline-validation.js';
import { PROVIDERS, providerStepKinds, stepKindSpec } from '../../workflows/providers.js';
import { STEP_BASE } from '../../workflows/step-kind.js';

describe('the provider registry', () => {
  it('names the same providers on the workflow side and the process side', () => {
    expect(Object.keys(PROVIDER_RUNTIMES).sort()).toEqual(Object.keys(PROVIDERS).sort());
  });

  it('gives every step kind the fields every step has, and its own', () => {
    for (const [kind, spec] of providerStepKinds()) {
      expect(spec.fields, kind).toEqual(expect.arrayContaining([...STEP_BASE]));
      expect(new Set(spec.fields).size, kind).toBe(spec.fields.length);
    }
  });

  it('keeps the interpreter’s own kinds out of the providers’', () => {
    expect(stepKindSpec('wait')).toBeUndefined();
    expect(stepKindSpec('approval')).toBeUndefined();
    expect(stepKindSpec('agent')).toBeDefined();
  });

  it('puts each queue role on one task queue suffix, and no two roles on one', () => {
    const suffixes = new Map<string, string>();
    for (const provider of Object.values(PROVIDER_RUNTIMES)) {
      for (const [role, queue] of Object.entries(provider.queues)) {
        const known = [...suffixes].find(([, r]) => r === role);
        if (known) expect(known[0], role).toBe(queue.suffix);
        else expect(suffixes.has(queue.suffix), `${role} reuses "${queue.suffix}"`).toBe(false);
        suffixes.set(queue.suffix, role);
      }
    }
  });

  it('serves a webhook route for every provider whose events can trigger pipelines', () => {
    for (const [name, entry] of Object.entries(PROVIDERS)) {
      if ('events' in entry)
        expect('webhook' in PROVIDER_RUNTIMES[name as keyof typeof PROVIDERS], name).toBe(true);
    }
  });

  it('builds no client for a provider whose key is not set', () => {
    const config = loadConfig({});
    for (const [name, provider] of Object.entries(PROVIDER_RUNTIMES))
      expect(provider.client(config), name).toBeUndefined();
  });

  it('reports a step of a kind no provider registers, naming the kind', () => {
    const problems = findDefinitionProblems({
      name: 'p',
      steps: [{ id: 'a', kind: 'nobody.knows' } as never],
    });
    expect(problems.map((p) => p.message)).toContainEqual(expect.stringContaining('"nobody.knows"'));
  });
});
