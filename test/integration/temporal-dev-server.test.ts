// The suite's single dev server is the real Temporal from the provisioned binary, with twinflow's search
// attributes registered, so the Web UI can filter by them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTemporal, type TemporalTestContext } from '../support/temporal.js';
import { DEV_SERVER_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';

describe('the test run dev server', () => {
  let temporal: TemporalTestContext;
  beforeAll(async () => {
    temporal = await connectTemporal();
  });
  afterAll(() => temporal.close());

  it('answers system info', async () => {
    const info = await temporal.connection.workflowService.getSystemInfo({});
    expect(info.serverVersion).toMatch(/^\d+\.\d+/);
  });

  it('has every twinflow search attribute registered', async () => {
    const { customAttributes } = await temporal.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    const names = DEV_SERVER_SEARCH_ATTRIBUTES.map((a) => a.split('=')[0]);
    expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(names));
  });
});
