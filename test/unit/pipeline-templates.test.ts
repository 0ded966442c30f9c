import { describe, it, expect } from 'vitest';
import {
  parseTemplate,
  renderTemplate,
  templateReferences,
  TemplateSyntaxError,
  TemplateValueMissingError,
} from '../../workflows/templates.js';

const context = {
  input: { repo: 'acme/api', branch: 'main', options: { dryRun: true }, retries: 3 },
  steps: {
    check: {
      summary: '2 tests fail',
      output: 'Two tests fail.',
      json: { items: ['a', 'b'], count: 2 },
      runId: 'run_1',
      outcome: 'fail',
      status: 'succeeded',
    },
    fix: { status: 'skipped' },
  },
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

  it('refuses to render a reference that has no value, naming it', () => {
    expect(() => renderTemplate('Fix it: {{steps.fix.output}}', context)).toThrow(TemplateValueMissingError);
    expect(() => renderTemplate('Fix it: {{steps.fix.output}}', context)).toThrow(/steps\.fix\.output/);
  });

  it('renders the default given after ?? when the value is missing', () => {
    expect(renderTemplate('[{{steps.fix.output ?? "no fix"}}]', context)).toBe('[no fix]');
    expect(renderTemplate("[{{ steps.fix.output ?? '' }}]", context)).toBe('[]');
  });

  it('prefers the value over the default when there is one', () => {
    expect(renderTemplate('{{steps.check.output ?? "none"}}', context)).toBe('Two tests fail.');
  });

  it('reads into an output that is JSON', () => {
    expect(renderTemplate('{{steps.check.json.count}}: {{steps.check.json.items}}', context)).toBe(
      '2: ["a","b"]',
    );
  });

  it('renders a missing value as an empty string only for replaying old pipelines', () => {
    expect(renderTemplate('[{{steps.fix.summary}}]', context, { missingAsEmpty: true })).toBe('[]');
  });

  it('rejects ?? without a quoted default', () => {
    expect(() => parseTemplate('{{steps.fix.output ?? none}}')).toThrow(TemplateSyntaxError);
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
    expect(() => renderTemplate('{{input.constructor}}', context)).toThrow(TemplateValueMissingError);
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
