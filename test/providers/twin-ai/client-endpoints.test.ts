// Every endpoint of seed 003 through the typed client, over real HTTP against the emulator: what goes in comes back
// in the seed's shape, fields the seed does not show survive as extras, and a field Twin leaves out stays out.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TwinAiClient } from '../../../providers/twin-ai/client.js';
import {
  startTwinAiEmulator,
  type RunningTwinAiEmulator,
} from '../../../providers/twin-ai/emulator/server.js';
import { clientFor, rejection } from './support.js';

let emulator: RunningTwinAiEmulator;
let client: TwinAiClient;

beforeAll(async () => {
  emulator = await startTwinAiEmulator({ port: 0 });
});
beforeEach(() => {
  emulator.reset();
  client = clientFor(emulator);
});
afterAll(() => emulator.close());

const policy = {
  title: 'Expense reimbursement policy',
  type: 'policy',
  content: 'Expense policy: under $50 no pre-approval needed.',
} as const;

describe('ask (POST /v1/twin)', () => {
  it('returns the scripted answer with every field of the seed', async () => {
    emulator.setRules([
      {
        match: 'expense',
        answer: { response: 'Under $50 no pre-approval.', confidence: 0.92, sources: [policy.title] },
      },
    ]);
    expect(await client.ask({ message: 'What is the expense policy?' })).toEqual({
      response: 'Under $50 no pre-approval.',
      confidence: 0.92,
      shouldEscalate: false,
      escalateReason: null,
      sources: [policy.title],
    });
  });

  it('sends message, context and askedBy as the seed names them', async () => {
    await client.ask({ message: 'Budget?', context: 'thread: Q3 planning', askedBy: 'Jordan M.' });
    expect(emulator.truth().asks[0]).toMatchObject({
      message: 'Budget?',
      context: 'thread: Q3 planning',
      askedBy: 'Jordan M.',
    });
  });

  it('cites the titles of the KB documents that answered', async () => {
    await client.createDoc(policy);
    const answer = await client.ask({ message: 'What is the expense policy?' });
    expect(answer.sources).toEqual([policy.title]);
  });

  it('leaves escalateReason absent when Twin omits it, as the seed’s quick start does', async () => {
    emulator.setScript(() => ({
      response: 'r',
      confidence: 0.9,
      raw: { response: 'r', confidence: 0.9, shouldEscalate: false, sources: [] },
    }));
    const answer = await client.ask({ message: 'q' });
    expect('escalateReason' in answer).toBe(false);
  });

  it('keeps fields the seed does not show', async () => {
    emulator.setScript(() => ({
      response: 'r',
      confidence: 0.9,
      raw: { response: 'r', confidence: 0.9, shouldEscalate: false, latencyMs: 12 },
    }));
    expect(await client.ask({ message: 'q' })).toMatchObject({ latencyMs: 12 });
  });
});

describe('knowledge base', () => {
  it('creates a document (type defaults to sop) and reads it back with its content', async () => {
    const created = await client.createDoc({ title: 'Onboarding', content: 'Day one: laptop.' });
    const id = created.doc?.id ?? '';
    expect(id).toMatch(/^doc_/);
    expect((await client.getDoc(id)).doc).toMatchObject({
      id,
      title: 'Onboarding',
      type: 'sop',
      content: 'Day one: laptop.',
      hits: 0,
    });
  });

  it('lists summaries filtered by type, with the total of matches', async () => {
    await client.createDoc(policy);
    await client.createDoc({ title: 'Travel', type: 'policy', content: 'Book economy.' });
    await client.createDoc({ title: 'Standup notes', type: 'note', content: 'Ship it.' });
    const list = await client.listDocs({ type: 'policy', limit: 1 });
    expect(list.total).toBe(2);
    expect(list.docs).toHaveLength(1);
    expect(list.docs[0]).toMatchObject({ type: 'policy' });
    expect(list.docs[0]).not.toHaveProperty('content');
  });

  it('deletes a document, which is then not found', async () => {
    const { doc } = await client.createDoc(policy);
    expect(await client.deleteDoc(doc?.id ?? '')).toEqual({ deleted: true });
    const error = await rejection(client.getDoc(doc?.id ?? ''));
    expect(error).toMatchObject({ status: 404, code: 'not_found', serverMessage: 'Document not found.' });
  });

  it('counts a hit each time a document contributes to an answer', async () => {
    const { doc } = await client.createDoc(policy);
    await client.ask({ message: 'expense policy?' });
    expect((await client.getDoc(doc?.id ?? '')).doc.hits).toBe(1);
  });
});

describe('escalations', () => {
  const escalating = {
    response: 'Escalating to AK.',
    confidence: 0.21,
    escalateReason: 'Requires budget authority',
  };

  it('lists the escalation an answer opened, with askedBy and reason', async () => {
    emulator.setRules([{ match: 'approve', answer: escalating }]);
    const answer = await client.ask({ message: 'Can you approve $15k?', askedBy: 'Jordan M.' });
    expect(answer).toMatchObject({ shouldEscalate: true, escalateReason: 'Requires budget authority' });
    const { escalations, total } = await client.listEscalations();
    expect(total).toBe(1);
    expect(escalations[0]).toMatchObject({
      question: 'Can you approve $15k?',
      askedBy: 'Jordan M.',
      confidence: 0.21,
      reason: 'Requires budget authority',
      status: 'open',
      resolvedAt: null,
    });
  });

  it('logs askedBy as "API" when the ask did not name anyone', async () => {
    emulator.setRules([{ match: 'approve', answer: escalating }]);
    await client.ask({ message: 'approve this' });
    expect((await client.listEscalations()).escalations[0]?.askedBy).toBe('API');
  });

  it('resolves an escalation: gone from the open list, present under resolved', async () => {
    emulator.setRules([{ match: 'approve', answer: escalating }]);
    await client.ask({ message: 'approve this' });
    const id = (await client.listEscalations()).escalations[0]?.id ?? '';
    await client.resolveEscalation(id);
    expect((await client.listEscalations()).total).toBe(0);
    const resolved = await client.listEscalations({ status: 'resolved' });
    expect(resolved.escalations[0]).toMatchObject({ id, status: 'resolved' });
    expect(resolved.escalations[0]?.resolvedAt).toEqual(expect.any(String));
  });

  it('answers 404 for an escalation that does not exist', async () => {
    expect((await rejection(client.resolveEscalation('esc_nope'))).status).toBe(404);
  });
});

describe('stats', () => {
  it('counts answers, escalations and documents', async () => {
    await client.createDoc(policy);
    emulator.setRules([{ match: 'approve', answer: { response: 'no', confidence: 0.2 } }]);
    await client.ask({ message: 'expense policy?' });
    await client.ask({ message: 'approve this' });
    expect(await client.getStats()).toMatchObject({
      totalAnswered: 2,
      totalEscalated: 1,
      handleRate: 0.5,
      kbDocCount: 1,
    });
  });
});
