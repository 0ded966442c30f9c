// `twinflow graph <pipeline>`: the steps of a definition as a Mermaid flowchart, which GitHub, GitLab and most
// Markdown viewers draw. The shape says what a step does (agent run, approval, timer, Twin admin call), edges
// are the `after` dependencies, dashed edges lead to compensation steps.
import type { Condition, PipelineDefinition, StepDefinition } from '../../workflows/pipeline-definition.js';
import { stepKindSpec } from '../../workflows/providers.js';

/** Step IDs allow characters Mermaid treats as syntax (and `end` is a keyword): nodes get positional IDs. */
const nodeId = (index: number) => `s${index}`;

function escapeLabel(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function detail(step: StepDefinition): string {
  switch (step.kind) {
    case 'wait':
      return step.duration !== undefined ? `wait ${String(step.duration)}` : `wait until ${step.until ?? ''}`;
    case 'approval':
      return 'approval';
    default:
      return stepKindSpec(step.kind)?.describe(step) ?? step.kind;
  }
}

function node(step: StepDefinition, index: number): string {
  const label = `"${escapeLabel(step.id)}<br/><small>${escapeLabel(detail(step))}</small>"`;
  switch (step.kind) {
    case 'approval':
      return `${nodeId(index)}{{${label}}}`;
    case 'wait':
      return `${nodeId(index)}([${label}])`;
    case 'agent':
      return `${nodeId(index)}[${label}]`;
    default:
      return `${nodeId(index)}[[${label}]]`;
  }
}

export function describeCondition(condition: Condition): string {
  if ('all' in condition) return condition.all.map(describeCondition).join(' and ');
  if ('any' in condition) return `(${condition.any.map(describeCondition).join(' or ')})`;
  if ('not' in condition) return `not ${describeCondition(condition.not)}`;
  const tests = [
    condition.outcome !== undefined ? `outcome ${[condition.outcome].flat().join('|')}` : '',
    condition.status !== undefined ? `status ${[condition.status].flat().join('|')}` : '',
  ].filter(Boolean);
  return `${condition.step} ${tests.join(', ') || 'settled'}`;
}

export function pipelineToMermaid(definition: PipelineDefinition): string {
  const index = new Map(definition.steps.map((step, i) => [step.id, i]));
  const ref = (id: string) => nodeId(index.get(id) ?? -1);
  const lines = ['flowchart TD'];
  definition.steps.forEach((step, i) => lines.push(`  ${node(step, i)}`));
  for (const step of definition.steps) {
    const label = step.when ? ` -- "${escapeLabel(`when ${describeCondition(step.when)}`)}" -->` : ' -->';
    for (const dependency of step.after ?? []) lines.push(`  ${ref(dependency)}${label} ${ref(step.id)}`);
    if (typeof step.onFailure === 'object')
      lines.push(`  ${ref(step.id)} -. "on failure" .-> ${ref(step.onFailure.compensate)}`);
  }
  return lines.join('\n');
}
