// The fields a pipeline definition may have, at every level, and the load-time check that names any other
// one. A misspelt optional field (`afterr`, `retries`) is otherwise valid data that silently does nothing: the
// step runs at once, or never retries. The TypeScript types refuse such fields in literals passed to
// definePipeline; this catches definitions built any other way (JSON, spreads, casts). Pure: it runs in the
// workflow bundle next to pipeline-definition.ts.
import type {
  ApprovalStep,
  ConfidenceBounds,
  DefinitionProblem,
  PipelineDefinition,
  PipelineOptions,
  ProviderTrigger,
  StepDefinition,
  TwinRunTrigger,
  WaitStep,
} from './pipeline-definition.js';
import { providerStepKinds } from './providers.js';
import { fieldsOf as fields, STEP_BASE } from './step-kind.js';
import type { RetryPolicy } from '../providers/twin/workflows/agent-retry.js';

const PIPELINE_KEYS = fields<PipelineDefinition>()(['name', 'description', 'steps', 'triggers', 'options']);

/** Each kind's fields: the interpreter's own, then every provider's (workflows/providers.ts). */
const STEP_KEYS: ReadonlyMap<string, readonly string[]> = new Map([
  ['wait', fields<WaitStep>()([...STEP_BASE, 'duration', 'until'])],
  ['approval', fields<ApprovalStep>()([...STEP_BASE, 'prompt', 'onTimeout'])],
  ...[...providerStepKinds()].map(([kind, spec]) => [kind, spec.fields] as const),
]);

const RETRY_KEYS = fields<RetryPolicy>()([
  'maximumAttempts',
  'initialInterval',
  'backoffCoefficient',
  'maximumInterval',
]);
const TRIGGER_KEYS = fields<TwinRunTrigger>()(['event', 'agent', 'outcome', 'input']);
const PROVIDER_TRIGGER_KEYS = fields<ProviderTrigger>()(['provider', 'event', 'input']);
const OPTIONS_KEYS = fields<PipelineOptions>()(['continueAsNewAfterSteps']);
const COMPENSATE_KEYS = ['compensate', 'then'] as const;
/** A condition is a test of one step, or exactly one of the combinators. */
const CONDITION_TEST_KEYS = ['step', 'outcome', 'status', 'shouldEscalate', 'confidence'] as const;
const CONFIDENCE_KEYS = fields<ConfidenceBounds>()(['below', 'atLeast']);
const CONDITION_COMBINATORS = ['all', 'any', 'not'] as const;

/** Edit distance counting a swap of two neighbours as one edit (`agnet`); the words are field names, so short. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The closest known word, if it is close enough to be a slip rather than another word: up to a third of the
 * word's length wrong (at least 1), a longer form of it (`retries` for `retry`) or a shortening of it
 * (`maxInterval` for `maximumInterval`).
 */
function didYouMean(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (best && best.distance <= limit) return best.candidate;
  return known.find((candidate) => {
    const c = candidate.toLowerCase();
    const longer = c.length >= 4 && lower.startsWith(c.slice(0, -1));
    const shorter = lower.length >= 4 && c.startsWith(lower.slice(0, 2)) && isSubsequence(lower, c);
    return longer || shorter;
  });
}

function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (const char of long) if (char === short[i]) i++;
  return i === short.length;
}

type Report = (step: string | undefined, message: string) => void;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reports each key of `value` outside `known`; `where` prefixes nested fields (`retry.`, `trigger 1: `). */
function checkKeys(
  value: unknown,
  known: readonly string[],
  where: string,
  report: (message: string) => void,
  elsewhere?: (key: string) => string | undefined,
): void {
  if (!isRecord(value)) return;
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const home = elsewhere?.(key);
    const guess = didYouMean(key, known);
    const hint = home ? ` (it belongs to ${home})` : guess ? ` (did you mean "${guess}"?)` : '';
    report(`${where}unknown field "${key}"${hint}`);
  }
}

function checkCondition(condition: unknown, where: string, report: (message: string) => void): void {
  if (!isRecord(condition)) return;
  const combinator = CONDITION_COMBINATORS.find((c) => c in condition);
  if (!combinator) {
    checkKeys(condition, CONDITION_TEST_KEYS, `${where}: `, report);
    checkKeys(condition['confidence'], CONFIDENCE_KEYS, `${where}.confidence: `, report);
    return;
  }
  checkKeys(condition, [combinator], `${where}: `, report);
  const inner = condition[combinator];
  if (combinator === 'not') return checkCondition(inner, `${where}.not`, report);
  if (Array.isArray(inner))
    inner.forEach((c, i) => checkCondition(c, `${where}.${combinator}[${i}]`, report));
}

/** A field valid on another kind of step is misplaced rather than misspelt: say where it goes. */
function kindsWith(key: string): string | undefined {
  const kinds = [...STEP_KEYS].flatMap(([kind, keys]) => (keys.includes(key) ? [kind] : []));
  if (kinds.length === 0) return undefined;
  const last = kinds.pop();
  return `${kinds.length > 0 ? `${kinds.join(', ')} and ` : ''}${last} steps`;
}

function checkStepFields(step: StepDefinition, report: Report): void {
  const problem = (message: string) => report(step.id, message);
  const known = STEP_KEYS.get(step.kind);
  if (!known) return; // an unknown kind is reported by the step check, with the kinds there are
  checkKeys(step, known, '', problem, kindsWith);
  if ('retry' in step) checkKeys(step.retry, RETRY_KEYS, 'retry: ', problem);
  if (isRecord(step.onFailure)) checkKeys(step.onFailure, COMPENSATE_KEYS, 'onFailure: ', problem);
  checkCondition(step.when, 'when', problem);
}

/** Every field of the definition no level of it knows, each naming its step (if any) and where it sits. */
export function findUnknownFields(definition: PipelineDefinition): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const report: Report = (step, message) => problems.push({ step, message });
  checkKeys(definition, PIPELINE_KEYS, '', (m) => report(undefined, m));
  checkKeys(definition.options, OPTIONS_KEYS, 'options: ', (m) => report(undefined, m));
  definition.triggers?.forEach((trigger, i) => {
    // `provider` decides which kind of trigger this is, so `agent` on a webhook trigger is named unknown.
    const known = isRecord(trigger) && 'provider' in trigger ? PROVIDER_TRIGGER_KEYS : TRIGGER_KEYS;
    checkKeys(trigger, known, `trigger ${i + 1}: `, (m) => report(undefined, m));
  });
  if (Array.isArray(definition.steps)) definition.steps.forEach((step) => checkStepFields(step, report));
  return problems;
}
