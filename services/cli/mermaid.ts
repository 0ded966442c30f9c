// `twinflow graph <pipeline>`: the steps of a definition as a Mermaid flowchart, which GitHub, GitLab and most
// Markdown viewers draw. The shape says what a step does (agent run, approval, timer, Twin admin call), edges
// are the `after` dependencies, dashed edges lead to compensation steps.
import type { Condition, PipelineDefinition, StepDefinition } from '../../workflows/pipeline-definition.js';

/** Step IDs allow characters Mermaid treats as syntax (and `end` is a keyword): nodes get positional IDs. */
const nodeId = (index: number) => `s${index}`;

function escapeLabel(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function detail(step: StepDefinition): string {
  switch (step.kind) {
    case 'agent':
      return `agent ${step.agent}`;
    case 'reschedule':
      return `${step.action} schedule of ${step.agent}${step.cron ? ` (${step.cron})` : ''}`;
    case 'instructions':
      return `instructions of ${step.agent}`;
    case 'wait':
      return step.duration !== undefined ? `wait ${String(step.duration)}` : `wait until ${step.until ?? ''}`;
    case 'approval':
      return 'approval';
    case 'session':
      return step.continues ? `turn in the session of ${step.continues}` : `session of ${step.agent ?? ''}`;
    case 'twinai.ask':
      return 'ask Twin.ai';
    case 'twinai.kb':
      return step.action === 'add' ? `add "${step.title ?? ''}" to Twin.ai's KB` : "delete from Twin.ai's KB";
    case 'twinai.resolveEscalation':
      return 'resolve a Twin.ai escalation';
    case 'twig.query':
      return `query Twig agent ${step.agent}`;
    case 'twig.sync':
      return `sync Twig data source ${step.dataSource}`;
    case 'twig.kb':
      return step.action === 'create'
        ? `create "${step.title ?? ''}" in Twig's KB`
        : "update an article in Twig's KB";
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
