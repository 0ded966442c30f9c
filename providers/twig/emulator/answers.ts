// Scripted query answers per agent, so a pipeline test can say what the agent answers (and how slowly, or that it
// fails) turn by turn: each query takes the agent's next answer and the last one repeats. Without a script the
// agent answers a text naming the question, with one source, so results are recognisable in assertions.
import { z } from 'zod';

export const scriptedAnswerSchema = z.strictObject({
  response: z.string().min(1),
  sources: z
    .array(
      z.strictObject({
        chunk_id: z.string(),
        document_title: z.string(),
        document_url: z.string().optional(),
        similarity_score: z.number().min(0).max(1),
        chunk_text: z.string(),
      }),
    )
    .optional(),
  /** Answered this late (the seed: "Latency: 1-5s depending on RAG strategy"). */
  delayMs: z.number().int().min(0).max(600_000).default(0),
  /** Answer this error instead. */
  error: z.strictObject({ status: z.number().int().min(400).max(599), message: z.string() }).optional(),
});
export type ScriptedAnswer = z.output<typeof scriptedAnswerSchema>;
export type ScriptedAnswerInput = z.input<typeof scriptedAnswerSchema>;

export class AnswerScripts {
  private readonly scripts = new Map<string, { answers: ScriptedAnswer[]; cursor: number }>();

  script(agentId: string, answers: ScriptedAnswerInput[]): void {
    const parsed = z.array(scriptedAnswerSchema).min(1).parse(answers);
    this.scripts.set(agentId, { answers: parsed, cursor: 0 });
  }

  next(agentId: string, query: string): ScriptedAnswer {
    const script = this.scripts.get(agentId);
    if (!script) return defaultAnswer(query);
    const answer = script.answers[Math.min(script.cursor, script.answers.length - 1)] ?? defaultAnswer(query);
    script.cursor += 1;
    return answer;
  }

  clear(): void {
    this.scripts.clear();
  }
}

function defaultAnswer(query: string): ScriptedAnswer {
  return {
    response: `Emulated answer to: ${query}`,
    sources: [
      {
        chunk_id: 'chk_emulated',
        document_title: 'Emulated Document',
        similarity_score: 0.89,
        chunk_text: `Text relevant to ${query}`,
      },
    ],
    delayMs: 0,
  };
}
