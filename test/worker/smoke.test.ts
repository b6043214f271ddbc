import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import testData from '../../../shared/data/server-fixtures/test-data.json';

describe('load', () => {
  it('loads test data', async () => {
    const stub = env.COORDINATOR.getByName('dataset');
    const { compare } = await import('fast-json-patch');
    const patch = compare({}, testData);
    const result = await stub.submitAndMerge(JSON.stringify(patch), 'initial-data-loader');
    console.log(JSON.stringify(result));
    expect(JSON.parse(JSON.stringify(result)).version).toBe(1);
  });
});
