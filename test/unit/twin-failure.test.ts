// How Twin API errors become activity failures: Temporal's retry policy must wait as long as Twin asked after a
// 429, retry transient errors, and give up at once on errors a retry cannot fix.
import { describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { TwinApiError } from '../../providers/twin/client/errors.js';
import {
  TWIN_API_FAILURE,
  TWIN_RATE_LIMITED_FAILURE,
  callTwin,
  twinFailure,
} from '../../providers/twin/activities/twin-failure.js';

function twinError(status: number, retryable: boolean, retryAfterMs?: number): TwinApiError {
  return new TwinApiError({ status, title: 't', detail: 'd', code: `C${status}`, retryable, retryAfterMs });
}

describe('twinFailure', () => {
  it('turns a 429 into a retryable failure that waits for Retry-After', () => {
    const failure = twinFailure(twinError(429, true, 1_500)) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({
      type: TWIN_RATE_LIMITED_FAILURE,
      nonRetryable: false,
      nextRetryDelay: 1_500,
    });
  });

  it('keeps a retryable error retryable under the activity retry policy', () => {
    const failure = twinFailure(twinError(503, true)) as ApplicationFailure;
    expect(failure).toMatchObject({
      type: TWIN_API_FAILURE,
      nonRetryable: false,
      details: [{ status: 503, code: 'C503' }],
    });
  });

  it('makes an error a retry cannot fix non-retryable', () => {
    expect(twinFailure(twinError(404, false))).toMatchObject({ type: TWIN_API_FAILURE, nonRetryable: true });
  });

  it('leaves errors that are not from Twin alone', () => {
    const error = new Error('bug');
    expect(twinFailure(error)).toBe(error);
  });
});

describe('callTwin', () => {
  it('rethrows a Twin error as its activity failure', async () => {
    await expect(callTwin(() => Promise.reject(twinError(400, false)))).rejects.toMatchObject({
      nonRetryable: true,
    });
  });
});
