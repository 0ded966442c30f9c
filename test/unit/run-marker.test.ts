// The start marker that lets a retried start find the run an ambiguous attempt created.
import { describe, expect, it } from 'vitest';
import { hasRunMarker, runMarker, withRunMarker } from '../../providers/twin/activities/run-marker.js';

const seed = { workflowId: 'pipeline/1', stepKey: 'review', attempt: 1, token: 'token-1' };

describe('run markers', () => {
  it('is the same for the same step attempt, so a retried activity looks for what it sent', () => {
    expect(runMarker(seed)).toBe(runMarker({ ...seed }));
    expect(runMarker(seed)).toMatch(/^\[twinflow:[0-9a-f]{16}\]$/);
  });

  it('differs per workflow, step, attempt and token', () => {
    const variants = [
      seed,
      { ...seed, workflowId: 'pipeline/2' },
      { ...seed, stepKey: 'deploy' },
      { ...seed, attempt: 2 },
      { ...seed, token: 'token-2' },
    ];
    expect(new Set(variants.map(runMarker)).size).toBe(variants.length);
  });

  it('goes on a trailing line after the user message, or alone without one', () => {
    expect(withRunMarker('check the repo', '[twinflow:x]')).toBe('check the repo\n\n[twinflow:x]');
    expect(withRunMarker(undefined, '[twinflow:x]')).toBe('[twinflow:x]');
  });

  it('is recognised only at the end of a message', () => {
    const marker = runMarker(seed);
    expect(hasRunMarker(withRunMarker('hello', marker), marker)).toBe(true);
    expect(hasRunMarker(`${marker}\n\nhello`, marker)).toBe(false);
    expect(hasRunMarker(undefined, marker)).toBe(false);
  });
});
