import { describe, it, expect } from 'vitest';
import {
  parseTemplate,
  renderTemplate,
  templateReferences,
  TemplateSyntaxError,
} from '../../workflows/templates.js';

const context = {
  input: { repo: 'acme/api', branch: 'main', options: { dryRun: true }, retries: 3 },
  steps: { check: { summary: '2 tests fail', runId: 'run_1', outcome: 'fail', status: 'succeeded' } },
  pipeline: { name: 'check-and-fix', workflowId: 'pipeline/check-and-fix/k1' },
};

describe('message templates', () => {
  it('passes an earlier step’s summary and the pipeline input into a message', () => {
    expect(renderTemplate('Fix {{input.repo}}: {{steps.check.summary}}', context)).toBe(
      'Fix acme/api: 2 tests fail',
    );
  });

  it('tolerates whitespace inside the braces', () => {
    expect(renderTemplate('{{ steps.check.runId }}', context)).toBe('run_1');
  });

  it('renders a missing value as an empty string, as for a skipped step', () => {
    expect(renderTemplate('[{{steps.fix.summary}}]', context)).toBe('[]');
  });

  it('renders numbers and booleans as text and objects as JSON', () => {
    expect(renderTemplate('{{input.retries}} {{input.options.dryRun}} {{input.options}}', context)).toBe(
      '3 true {"dryRun":true}',
    );
  });

  it('leaves text without references untouched', () => {
    expect(renderTemplate('plain text, single { braces }', context)).toBe('plain text, single { braces }');
  });

  it('does not read inherited properties of the context', () => {
    expect(renderTemplate('{{input.constructor}}', context)).toBe('');
  });

  it('lists the references of a template as paths', () => {
    expect(templateReferences('{{input.repo}} then {{steps.check.outcome}}')).toEqual([
      ['input', 'repo'],
      ['steps', 'check', 'outcome'],
    ]);
  });

  it('rejects an unclosed reference', () => {
    expect(() => parseTemplate('Fix {{input.repo')).toThrow(TemplateSyntaxError);
  });

  it('rejects an empty reference', () => {
    expect(() => parseTemplate('Fix {{ }}')).toThrow(/not a dotted path/);
  });

  it('rejects a reference that is not a dotted path', () => {
    expect(() => parseTemplate('{{steps.check.summary | upper}}')).toThrow(TemplateSyntaxError);
  });
});
