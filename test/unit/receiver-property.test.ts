// Property: whatever arrives on the wire, the receiver never answers 5xx, and nothing reaches the hand-off
// unless it was signed with an active secret. The hand-off here records calls: the property is about which
// requests get that far, not about Temporal (whose hand-off is specified in receiver-handoff.test.ts).
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReceiverApp } from '../../services/receiver/app.js';
import type { EventHandoff } from '../../services/receiver/handoff.js';
import { SigningSecrets } from '../../services/receiver/secrets.js';
import type { RunObservation } from '../../providers/twin/vocabulary/run-status.js';
import { loadConfig } from '../../services/shared/config.js';
import { createLogger } from '../../services/shared/logger.js';
import { listenOnEphemeralPort, send, sign, webhookBody, type Listening } from '../support/receiver.js';

const SECRETS = ['whsec_active_one', 'whsec_active_two'];

const handedOff: RunObservation[] = [];
const recordingHandoff: EventHandoff = {
  async deliver(observation) {
    handedOff.push(observation);
    return 'delivered';
  },
  async checkReady() {},
};

let receiver: Listening;
const logLines: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger('receiver-test', 'debug', sink);
  const secrets = await SigningSecrets.load({ envSecrets: SECRETS, logger });
  const config = loadConfig({ WEBHOOK_MAX_BODY_BYTES: '4096' });
  receiver = await listenOnEphemeralPort(
    createReceiverApp({ config, secrets, handoff: recordingHandoff, logger }).callback(),
  );
});

afterAll(async () => {
  await receiver?.close();
});

/** Header values node:http will put on the wire: visible Latin-1, no CR/LF. */
const headerText = fc.string({
  unit: fc.constantFrom(...'sha256=0123456789abcdefABCDEFxyz ,;é\t-_'.split('')),
  maxLength: 90,
});

/** Mostly `usual`, sometimes one of `odd`: requests stay close enough to valid to reach every step. */
function mostly<T>(usual: fc.Arbitrary<T>, ...odd: fc.Arbitrary<T>[]): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: usual, weight: 4 }, ...odd.map((arbitrary) => ({ arbitrary, weight: 1 })));
}

const EVENTS = ['run.started', 'run.completed', 'run.failed', 'run.stopped', 'run.paused'];

const body = mostly(
  fc
    .record({ event: fc.constantFrom(...EVENTS), runId: fc.string({ minLength: 1, maxLength: 40 }) })
    .map((f) => Buffer.from(webhookBody(f))),
  fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)),
  fc.json().map((text) => Buffer.from(text)),
  fc
    .record({
      event: fc.constantFrom(...EVENTS, 'run.other'),
      timestamp: fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ),
      runId: fc.string({ maxLength: 300 }),
    })
    .map((fields) => Buffer.from(webhookBody(fields))),
);

const signature = (payload: Buffer) =>
  mostly(
    fc.constantFrom(...SECRETS).map((secret) => ({ header: sign(secret, payload), signed: true })),
    fc
      .string({ minLength: 1, maxLength: 20 })
      .map((secret) => ({ header: sign(`other-${secret}`, payload), signed: false })),
    headerText.map((header) => ({ header, signed: false })),
  );

const request = body.chain((payload) =>
  fc.record({
    payload: fc.constant(payload),
    signature: signature(payload),
    contentType: mostly(
      fc.constant('application/json'),
      fc.constantFrom('application/json; charset=latin1', 'text/plain', ''),
    ),
    event: mostly(fc.constant('from-body'), fc.constantFrom(undefined, 'run.completed', 'nonsense')),
    encoding: mostly(fc.constant(undefined), fc.constantFrom('gzip', 'identity', 'br')),
  }),
);

function eventInBody(payload: Buffer): string {
  try {
    return String((JSON.parse(payload.toString()) as { event?: unknown }).event);
  } catch {
    return 'none';
  }
}

describe('any request to POST /webhooks/twin', () => {
  it('is never answered 5xx and reaches the hand-off only when signed with an active secret', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ payload, signature: sig, contentType, event, encoding }) => {
        const calls = handedOff.length;
        const headers: Record<string, string> = { 'X-Cobb-Signature': sig.header };
        if (contentType) headers['Content-Type'] = contentType;
        if (event) headers['X-Cobb-Event'] = event === 'from-body' ? eventInBody(payload) : event;
        if (encoding) headers['Content-Encoding'] = encoding;
        const answer = await send(`${receiver.url}/webhooks/twin`, { headers, body: payload });
        expect(answer.status).toBeLessThan(500);
        if (!sig.signed) expect(handedOff.length).toBe(calls);
        if (handedOff.length > calls) expect(answer.status).toBe(200);
      }),
      { numRuns: 150 },
    );
    // Guards the property itself: had no request got this far, it would have proven nothing about signed ones.
    expect(handedOff.length).toBeGreaterThan(0);
  });
});

describe('the receiver log', () => {
  it('never contains a signing secret, whatever the delivery', async () => {
    const payload = webhookBody();
    const url = `${receiver.url}/webhooks/twin`;
    for (const header of [sign(SECRETS[0]!, payload), sign('wrong', payload), 'sha256=zz']) {
      await send(url, {
        headers: { 'Content-Type': 'application/json', 'X-Cobb-Signature': header },
        body: payload,
      });
    }
    expect(logLines.length).toBeGreaterThanOrEqual(3);
    for (const secret of SECRETS) expect(logLines.join('')).not.toContain(secret);
  });
});
