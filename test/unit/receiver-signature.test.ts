// The signature header's shape and the digest comparison, on their own. The HTTP-level behaviour of every
// adversarial case is specified in test/integration/receiver-webhook.test.ts.
import { createSecretKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SigningKey } from '../../services/receiver/secrets.js';
import { checkDigest, parseSignatureHeader, signedForAgent } from '../../providers/twin/webhook.js';
import { FUTURE_SKEW_SECONDS, timestampProblem } from '../../services/receiver/webhook-route.js';
import { sign } from '../support/receiver.js';

const key = (secret: string, agentId?: string): SigningKey => ({
  key: createSecretKey(Buffer.from(secret, 'utf8')),
  agentId,
});
const body = Buffer.from('{"event":"run.started"}');
const signed = sign('s3cret', body);
const hex = signed.slice('sha256='.length);

function digestOf(header: string): Buffer {
  const parsed = parseSignatureHeader(header);
  if (!parsed.ok) throw new Error(`unexpected ${parsed.reason}`);
  return parsed.digest;
}

describe('parseSignatureHeader', () => {
  it('decodes sha256= followed by 64 hex digits into 32 bytes', () => {
    expect(digestOf(signed)).toHaveLength(32);
  });

  it('decodes uppercase hex to the same bytes as lowercase', () => {
    expect(digestOf(`sha256=${hex.toUpperCase()}`).equals(digestOf(signed))).toBe(true);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
  ])('reports a %s header as missing', (_, header) => {
    expect(parseSignatureHeader(header)).toEqual({ ok: false, reason: 'missing_signature' });
  });

  it.each([
    ['the prefix alone', 'sha256='],
    ['a truncated digest', `sha256=${hex.slice(0, 32)}`],
    ['an odd number of digits', `sha256=${hex}0`],
    ['a non-hex digit', `sha256=${hex.slice(0, 63)}g`],
    ['junk after valid hex', `sha256=${hex}junk`],
    ['a trailing newline', `sha256=${hex}\n`],
    ['a sha1= prefix', `sha1=${hex}`],
    ['no prefix', hex],
    ['an uppercase prefix', `SHA256=${hex}`],
    ['two signatures joined by Node', `${signed}, ${signed}`],
    ['a non-ASCII character', `sha256=${hex.slice(0, 63)}é`],
  ])('reports %s as malformed', (_, header) => {
    expect(parseSignatureHeader(header)).toEqual({ ok: false, reason: 'malformed_signature' });
  });
});

describe('checkDigest', () => {
  it("verifies GitHub's public test vector", () => {
    const digest = digestOf('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
    expect(
      checkDigest(digest, Buffer.from('Hello, World!'), [key("It's a Secret to Everybody")]),
    ).toMatchObject({
      ok: true,
    });
  });

  it('passes when any one of several active secrets signed the body, naming the one that did', () => {
    const s3cret = key('s3cret', 'agent_1');
    expect(checkDigest(digestOf(signed), body, [key('old'), s3cret, key('other')])).toEqual({
      ok: true,
      matched: [s3cret],
    });
  });

  it('fails when no active secret signed the body', () => {
    expect(checkDigest(digestOf(signed), body, [key('old'), key('other')])).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('fails when one byte of the body differs', () => {
    const changed = Buffer.from(body);
    changed.writeUInt8(changed.readUInt8(2) ^ 0x01, 2);
    expect(checkDigest(digestOf(signed), changed, [key('s3cret')])).toEqual({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('fails, without throwing, when no secret is configured', () => {
    expect(checkDigest(digestOf(signed), body, [])).toEqual({ ok: false, reason: 'no_secrets' });
  });
});

describe('signedForAgent', () => {
  it('lets a secret registered for an agent vouch for that agent', () => {
    expect(signedForAgent([key('s3cret', 'agent_1')], 'agent_1')).toBe(true);
  });

  it('does not let a secret registered for one agent vouch for another', () => {
    expect(signedForAgent([key('s3cret', 'agent_1')], 'agent_2')).toBe(false);
  });

  it('lets a configured secret, which names no agent, vouch for any agent', () => {
    expect(signedForAgent([key('s3cret')], 'agent_2')).toBe(true);
  });
});

describe('timestampProblem', () => {
  const now = Date.parse('2026-03-11T12:00:00Z');
  const threeDays = 3 * 24 * 3600;

  it('accepts a timestamp inside the window', () => {
    expect(timestampProblem('2026-03-09T12:00:00Z', threeDays, now)).toBeUndefined();
  });

  it('refuses a timestamp older than the tolerance', () => {
    expect(timestampProblem('2026-03-08T11:59:59Z', threeDays, now)).toBe('timestamp_too_old');
  });

  it('accepts a timestamp slightly ahead of our clock', () => {
    expect(
      timestampProblem(new Date(now + (FUTURE_SKEW_SECONDS - 1) * 1000).toISOString(), threeDays, now),
    ).toBeUndefined();
  });

  it('refuses a timestamp further ahead than the clock-skew allowance', () => {
    expect(
      timestampProblem(new Date(now + (FUTURE_SKEW_SECONDS + 1) * 1000).toISOString(), threeDays, now),
    ).toBe('timestamp_in_future');
  });

  it.each(['NaN', 'Infinity', 'yesterday', ''])(
    'refuses the unparseable timestamp %j instead of skipping the check',
    (timestamp) => {
      expect(timestampProblem(timestamp, threeDays, now)).toBe('timestamp_invalid');
    },
  );
});
