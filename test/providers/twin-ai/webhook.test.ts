// verifyTwinAiWebhook as a receiver meets it. Signatures here are made with node:crypto directly, the way the seed's
// snippet makes them, not with our signer, so a bug shared by signer and verifier cannot hide. A genuine delivery
// passes; another secret, a changed byte, a missing, repeated or misshapen header, a bare digest (which the seed's
// own check refuses) and an oversized body fail before the payload is read; an authentic body we cannot use is
// refused with `authentic: true`.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../providers/shared/testing/failures.js';
import {
  signTwinAiWebhook,
  TwinAiWebhookError,
  verifyTwinAiWebhook,
  type TwinAiWebhookFailure,
  type TwinAiWebhookHeaders,
} from '../../../providers/twin-ai/webhook.js';

const SECRET = 'whsec_twin_ai_test';
/** The seed's example event, plus a field it does not show. */
const seedEvent = {
  event: 'escalation.created',
  escalationId: 'esc_xyz789',
  question: 'Can you approve the $15k contract with Acme?',
  askedBy: 'Jordan M.',
  confidence: 0.22,
  reason: 'Requires personal budget authority over $10k',
  timestamp: '2026-03-14T10:32:00Z',
  workspace: 'acme',
};
const body = Buffer.from(JSON.stringify(seedEvent));
const hex = (bytes: Uint8Array, secret = SECRET) => createHmac('sha256', secret).update(bytes).digest('hex');
const signed = (bytes: Uint8Array, secret = SECRET) => ({ 'twin-signature': `sha256=${hex(bytes, secret)}` });

/** The TwinAiWebhookError a check threw; fails the test on a pass or any other error. */
const refusal = (run: () => unknown): TwinAiWebhookError => thrown(run, TwinAiWebhookError);

describe('genuine deliveries', () => {
  it('returns the seed’s event with its fields and extras', () => {
    expect(verifyTwinAiWebhook(body, signed(body), SECRET)).toEqual(seedEvent);
  });

  it('finds the header whatever its case, in a fetch Headers object too', () => {
    const headers = new Headers({ 'Twin-Signature': `sha256=${hex(body)}` });
    expect(verifyTwinAiWebhook(body, headers, SECRET).escalationId).toBe('esc_xyz789');
    expect(verifyTwinAiWebhook(body, { 'TWIN-SIGNATURE': `sha256=${hex(body)}` }, SECRET).event).toBe(
      'escalation.created',
    );
  });

  it('accepts a delivery signed with any of the secrets given (rotation)', () => {
    expect(verifyTwinAiWebhook(body, signed(body, 'next'), [SECRET, 'next']).escalationId).toBe('esc_xyz789');
  });

  it('agrees with the signer the emulator uses', () => {
    expect(signTwinAiWebhook(body, SECRET)).toBe(`sha256=${hex(body)}`);
  });

  it('accepts a Uint8Array as well as a Buffer', () => {
    expect(verifyTwinAiWebhook(new Uint8Array(body), signed(body), SECRET).event).toBe('escalation.created');
  });
});

describe('forged or damaged deliveries', () => {
  const tampered = Buffer.from(body);
  tampered[tampered.indexOf('1')] = '2'.charCodeAt(0);
  const cases: Array<[string, Buffer, TwinAiWebhookHeaders, string | string[], TwinAiWebhookFailure]> = [
    ['a signature made with another secret', body, signed(body, 'wrong'), SECRET, 'signature_mismatch'],
    ['one tampered byte in the body', tampered, signed(body), SECRET, 'signature_mismatch'],
    [
      'one trailing newline added to the body',
      Buffer.concat([body, Buffer.from('\n')]),
      signed(body),
      SECRET,
      'signature_mismatch',
    ],
    ['no signature header', body, {}, SECRET, 'missing_signature'],
    ['an empty signature header', body, { 'twin-signature': '' }, SECRET, 'missing_signature'],
    [
      'a bare hex digest (the seed’s check compares "sha256=<hex>")',
      body,
      { 'twin-signature': hex(body) },
      SECRET,
      'malformed_signature',
    ],
    [
      'an uppercase digest',
      body,
      { 'twin-signature': `sha256=${hex(body).toUpperCase()}` },
      SECRET,
      'malformed_signature',
    ],
    [
      'a base64 digest',
      body,
      { 'twin-signature': `sha256=${createHmac('sha256', SECRET).update(body).digest('base64')}` },
      SECRET,
      'malformed_signature',
    ],
    [
      'another algorithm’s prefix',
      body,
      { 'twin-signature': `sha1=${hex(body)}` },
      SECRET,
      'malformed_signature',
    ],
    [
      'a truncated digest',
      body,
      { 'twin-signature': `sha256=${hex(body).slice(0, 63)}` },
      SECRET,
      'malformed_signature',
    ],
    [
      'a repeated header as Node joins it',
      body,
      { 'twin-signature': `sha256=${hex(body)}, sha256=${hex(body)}` },
      SECRET,
      'duplicate_signature',
    ],
    [
      'a repeated header as an array',
      body,
      { 'twin-signature': [`sha256=${hex(body)}`, `sha256=${hex(body)}`] },
      SECRET,
      'duplicate_signature',
    ],
    [
      'the header twice under different cases',
      body,
      { 'Twin-Signature': `sha256=${hex(body)}`, 'twin-signature': `sha256=${hex(body, 'x')}` },
      SECRET,
      'duplicate_signature',
    ],
    ['no secret configured', body, signed(body), [], 'no_secret'],
    ['an empty secret', body, signed(body, ''), '', 'no_secret'],
  ];

  it.each(cases)('refuses %s', (_what, bytes, headers, secret, reason) => {
    const error = refusal(() => verifyTwinAiWebhook(bytes, headers, secret));
    expect(error.reason).toBe(reason);
    expect(error.authentic).toBe(false);
  });

  it('refuses a huge body before hashing it, even when correctly signed', () => {
    const huge = Buffer.alloc(300 * 1024, 'a');
    expect(refusal(() => verifyTwinAiWebhook(huge, signed(huge), SECRET)).reason).toBe('body_too_large');
  });

  it('applies a caller’s own size cap', () => {
    const error = refusal(() => verifyTwinAiWebhook(body, signed(body), SECRET, { maxBytes: 16 }));
    expect(error.reason).toBe('body_too_large');
  });

  it('refuses a string body: only the exact bytes can be verified', () => {
    expect(() => verifyTwinAiWebhook(body.toString() as unknown as Buffer, signed(body), SECRET)).toThrow(
      TypeError,
    );
  });

  it('never names the secret in its message', () => {
    expect(refusal(() => verifyTwinAiWebhook(body, signed(body, 'wrong'), SECRET)).message).not.toContain(
      SECRET,
    );
  });
});

describe('authentic deliveries with a payload we refuse', () => {
  const cases: Array<[string, Buffer, TwinAiWebhookFailure]> = [
    ['not JSON', Buffer.from('event=escalation.created'), 'invalid_json'],
    ['a JSON array', Buffer.from('[]'), 'invalid_payload'],
    ['JSON without an event', Buffer.from(JSON.stringify({ escalationId: 'esc_1' })), 'invalid_payload'],
    [
      'an event the seed does not show',
      Buffer.from(JSON.stringify({ ...seedEvent, event: 'escalation.resolved' })),
      'unknown_event',
    ],
    [
      'an escalation without its escalationId',
      Buffer.from(JSON.stringify({ ...seedEvent, escalationId: undefined })),
      'invalid_payload',
    ],
    [
      'a confidence of the wrong type',
      Buffer.from(JSON.stringify({ ...seedEvent, confidence: 'low' })),
      'invalid_payload',
    ],
  ];

  it.each(cases)('refuses %s, marked authentic', (_what, bytes, reason) => {
    expect(refusal(() => verifyTwinAiWebhook(bytes, signed(bytes), SECRET))).toMatchObject({
      reason,
      authentic: true,
    });
  });

  it('accepts an event with only the required fields, inventing none of the others', () => {
    const minimal = Buffer.from(JSON.stringify({ event: 'escalation.created', escalationId: 'esc_1' }));
    expect(verifyTwinAiWebhook(minimal, signed(minimal), SECRET)).toEqual({
      event: 'escalation.created',
      escalationId: 'esc_1',
    });
  });
});
