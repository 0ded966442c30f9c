// How the emulated twin answers, so a test says what the twin says turn by turn: a `script(question, ask)` function
// is asked first, then `rules` (first match on the question wins), then a default answer drawn from the knowledge
// base by shared words, whose sources are the titles of the documents it used (as the seed's `sources` are). When an
// answer does not say `shouldEscalate`, the seed's rule decides: confidence below the threshold escalates. `raw`
// sends a body verbatim instead, for tests of a Twin that breaks its own contract (a field missing or mistyped).
import { z } from 'zod';
import type { DocRecord } from './store.js';

export const scriptedAnswerSchema = z.strictObject({
  response: z.string(),
  confidence: z.number().min(0).max(1),
  /** Default: confidence below the emulator's threshold. */
  shouldEscalate: z.boolean().optional(),
  /** Default when escalating: a reason naming the confidence; null otherwise. */
  escalateReason: z.string().nullable().optional(),
  sources: z.array(z.string()).default([]),
  /** Answered this late (the search and the generation take time). */
  delayMs: z.number().int().min(0).max(600_000).default(0),
  /** Sent as the answer body instead of the fields above (which still decide escalation). */
  raw: z.record(z.string(), z.unknown()).optional(),
});
export type ScriptedAnswerInput = z.input<typeof scriptedAnswerSchema>;

/** What the twin decided, with escalation settled. */
export interface DecidedAnswer {
  body: Record<string, unknown>;
  confidence: number;
  shouldEscalate: boolean;
  escalateReason: string | null;
  delayMs: number;
  /** Documents that contributed, so their `hits` go up. */
  usedDocIds: string[];
}

export interface AskInput {
  message: string;
  context?: string;
  askedBy?: string;
}

/** Returns undefined to fall through to the rules and the default answer. */
export type AnswerScript = (question: string, ask: AskInput) => ScriptedAnswerInput | undefined;

export interface AnswerRule {
  /** A substring (case-insensitive) or a pattern the question must match. */
  match: string | RegExp;
  answer: ScriptedAnswerInput;
}

const words = (text: string) => new Set(text.toLowerCase().match(/[a-z0-9$]{3,}/g) ?? []);

export class AnswerBook {
  script: AnswerScript | undefined;
  rules: AnswerRule[] = [];

  constructor(public threshold: number) {}

  decide(ask: AskInput, docs: Iterable<DocRecord>): DecidedAnswer {
    const scripted = this.script?.(ask.message, ask) ?? this.ruleFor(ask.message);
    if (scripted === undefined) return this.fromKb(ask.message, [...docs]);
    const answer = scriptedAnswerSchema.parse(scripted);
    const shouldEscalate = answer.shouldEscalate ?? answer.confidence < this.threshold;
    const escalateReason = shouldEscalate
      ? (answer.escalateReason ?? `Confidence ${answer.confidence} below threshold ${this.threshold}`)
      : (answer.escalateReason ?? null);
    const body = answer.raw ?? {
      response: answer.response,
      confidence: answer.confidence,
      shouldEscalate,
      escalateReason,
      sources: answer.sources,
    };
    const titles = new Set(answer.sources);
    const usedDocIds = [...docs].filter((d) => titles.has(d.title)).map((d) => d.id);
    return {
      body,
      confidence: answer.confidence,
      shouldEscalate,
      escalateReason,
      delayMs: answer.delayMs,
      usedDocIds,
    };
  }

  clear(): void {
    this.script = undefined;
    this.rules = [];
  }

  private ruleFor(question: string): ScriptedAnswerInput | undefined {
    const lower = question.toLowerCase();
    return this.rules.find(({ match }) =>
      typeof match === 'string' ? lower.includes(match.toLowerCase()) : match.test(question),
    )?.answer;
  }

  /** The share of the question's words found in each document; the best ones answer. */
  private fromKb(question: string, docs: DocRecord[]): DecidedAnswer {
    const asked = words(question);
    const scored = docs
      .map((doc) => {
        const have = words(`${doc.title} ${doc.content}`);
        const shared = [...asked].filter((w) => have.has(w)).length;
        return { doc, score: asked.size === 0 ? 0 : shared / asked.size };
      })
      .filter(({ score }) => score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, 3);
    const best = scored[0];
    const confidence = best ? Math.round((0.3 + 0.7 * best.score) * 100) / 100 : 0.1;
    const shouldEscalate = confidence < this.threshold;
    const escalateReason = shouldEscalate ? 'The knowledge base does not cover this question' : null;
    const response = best
      ? best.doc.content.slice(0, 500)
      : 'I could not find this in the knowledge base — escalating.';
    const sources = scored.map(({ doc }) => doc.title);
    return {
      body: { response, confidence, shouldEscalate, escalateReason, sources },
      confidence,
      shouldEscalate,
      escalateReason,
      delayMs: 0,
      usedDocIds: scored.map(({ doc }) => doc.id),
    };
  }
}
