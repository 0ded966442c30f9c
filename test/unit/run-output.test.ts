// The tolerant reading of an agent's answer from its run's events: seed 001 documents no event kinds beyond
// `started`, so what is accepted here is our assumption, and anything else must yield no output, never an invented one.
import { describe, expect, it } from 'vitest';
import {
  extractRunOutput,
  MAX_OUTPUT_CHARS,
  parseJsonAnswer,
  type EventLike,
} from '../../providers/twin/vocabulary/run-output.js';

let index = 0;
function event(kind: string, payload: Record<string, unknown> = {}): EventLike {
  index++;
  return { index, kind, event: { [kind]: payload } };
}

describe('extractRunOutput', () => {
  it('takes the text of the last assistant message', () => {
    const events = [
      event('started'),
      event('assistant_message', { text: 'thinking…' }),
      event('tool_call', { name: 'search' }),
      event('assistant_message', { text: 'Three PRs merged.' }),
      event('finished'),
    ];
    expect(extractRunOutput(events).text).toBe('Three PRs merged.');
  });

  it('reads `content` as a string or as text parts', () => {
    expect(extractRunOutput([event('message', { content: 'plain' })]).text).toBe('plain');
    const parts = { content: [{ type: 'text', text: 'a' }, { type: 'image' }, { type: 'text', text: 'b' }] };
    expect(extractRunOutput([event('output', parts)]).text).toBe('ab');
  });

  it('skips messages that the user, not the agent, wrote', () => {
    const events = [
      event('message', { role: 'assistant', text: 'answer' }),
      event('message', { role: 'user', text: 'q' }),
    ];
    expect(extractRunOutput(events).text).toBe('answer');
  });

  it('finds nothing in events it does not recognise', () => {
    expect(extractRunOutput([event('started'), event('tool_call', { text: 'not an answer' })])).toEqual({});
  });

  it('finds nothing in an empty event list, which proves nothing either', () => {
    expect(extractRunOutput([])).toEqual({});
  });

  it('uses the kinds a step names instead of the defaults', () => {
    const events = [
      event('assistant_message', { text: 'default' }),
      event('final_report', { text: 'chosen' }),
    ];
    expect(extractRunOutput(events, ['final_report']).text).toBe('chosen');
  });

  it('parses an answer that is a JSON object', () => {
    expect(extractRunOutput([event('assistant_message', { text: '{"items":[1,2]}' })]).json).toEqual({
      items: [1, 2],
    });
  });

  it('cuts an answer longer than the bound, flags it, and does not parse it', () => {
    const long = `[${'1,'.repeat(MAX_OUTPUT_CHARS)}1]`;
    const output = extractRunOutput([event('assistant_message', { text: long })]);
    expect(output.text).toHaveLength(MAX_OUTPUT_CHARS);
    expect(output.truncated).toBe(true);
    expect(output.json).toBeUndefined();
  });

  it('says why a failed run failed', () => {
    const events = [event('started'), event('error', { message: 'scanner crashed: out of memory' })];
    expect(extractRunOutput(events).reason).toBe('scanner crashed: out of memory');
  });

  it('keeps an outcome word an event carries, as a hint', () => {
    expect(extractRunOutput([event('finished', { outcome: 'partial' })]).outcome).toBe('partial');
    expect(extractRunOutput([event('finished', { outcome: 'great' })]).outcome).toBeUndefined();
  });
});

describe('parseJsonAnswer', () => {
  it('reads one fenced json block', () => {
    expect(parseJsonAnswer('```json\n{"ok": true}\n```')).toEqual({ ok: true });
  });

  it('leaves prose, scalars and broken JSON as text', () => {
    expect(parseJsonAnswer('All good.')).toBeUndefined();
    expect(parseJsonAnswer('true')).toBeUndefined();
    expect(parseJsonAnswer('{"items": [1,')).toBeUndefined();
  });
});
