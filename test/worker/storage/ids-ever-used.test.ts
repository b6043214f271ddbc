/**
 * An identifier names one entity forever: a new entity may not take an id that is or ever
 * was used, removed entities' included. The coordinator asks D1 about the ids a patch brings
 * (it is evicted between most merges, and reloading every id cost 140–160 ms at 50,000
 * periods), so these hold for a coordinator that has just started, and a minted id that
 * happens to be taken is replaced by another.
 */
import { env } from 'cloudflare:workers';
import { evictDurableObject } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PERIOD_SEQUENCE_LENGTH, XDIGITS } from '../../../workers/domain/identifiers';
import { ASSIGNED, adminLoad, get, json, loadTestData } from '../read-api/support';
import { addPeriod, addUsers, merge, rowCounts, submit } from '../support/editors';

const coordinator = () => env.COORDINATOR.getByName('dataset');
const REMOVED = 'p0trgkv4kxb';

async function refusedWithNothingWritten(attempt: () => Promise<Response>): Promise<string> {
  const before = await rowCounts();
  const response = await attempt();
  expect(response.status).toBe(400);
  const { message } = (await response.json()) as { message: string };
  expect(await rowCounts()).toEqual(before);
  return message;
}

/** Makes the coordinator's period mints draw `sequence` (the random part of an id) `times` times, then chance again. */
function mintsDraw(sequence: string, times: number) {
  const real = crypto.getRandomValues.bind(crypto);
  let left = times;
  return vi.spyOn(crypto, 'getRandomValues').mockImplementation((array) => {
    if (left > 0 && array instanceof Uint8Array && array.length === PERIOD_SEQUENCE_LENGTH) {
      left--;
      array.set(Array.from(sequence, (c) => XDIGITS.indexOf(c)));
      return array;
    }
    return real(array);
  });
}

beforeAll(async () => {
  await loadTestData();
  await addUsers();
  const r = await adminLoad([{ op: 'remove', path: `/authorities/p0trgkv/periods/${REMOVED}` }]);
  expect(r.status, await r.text()).toBe(200);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ids ever used, checked by a coordinator that has just started', () => {
  it('refuses a removed period’s id given as an assigned id', async () => {
    await evictDurableObject(coordinator());
    const skolem = `${ASSIGNED}${REMOVED}`;
    const message = await refusedWithNothingWritten(() =>
      adminLoad([{ op: 'add', path: `/authorities/p0trgkv/periods/${skolem.replace(/\//g, '~1')}`, value: { id: skolem, label: 'Back again', type: 'Period' } }]),
    );
    expect(message).toContain(`ID collision on ${REMOVED}`);
  });

  it('refuses a removed period’s id added as it is', async () => {
    await evictDurableObject(coordinator());
    const message = await refusedWithNothingWritten(() =>
      adminLoad([{ op: 'add', path: `/authorities/p0trgkv/periods/${REMOVED}`, value: { id: REMOVED, label: 'Back again', type: 'Period' } }]),
    );
    expect(message).toContain(`Identifier ${REMOVED} is already used`);
  });
});

describe('a minted id that is already taken', () => {
  /** A period minted by a merge of this system (the 2015 data's ids have old-style check digits). */
  let taken: string;
  beforeAll(async () => {
    const path = await submit(addPeriod('p0trgkv', 'first', 'First minted'));
    expect((await merge(path)).status).toBe(204);
    taken = Object.values((await json(await get(path))).identifier_map as Record<string, string>)[0];
  });
  const drawOf = (id: string) => id.slice('p0trgkv'.length, 'p0trgkv'.length + PERIOD_SEQUENCE_LENGTH);

  it('is replaced by another, and the entity that has it is left alone', async () => {
    const before = await json(await get(`/${taken.slice(2)}.json`));
    await evictDurableObject(coordinator());
    const path = await submit(addPeriod('p0trgkv', 'minted-twice', 'Minted twice'));
    const draws = mintsDraw(drawOf(taken), 1);
    const r = await merge(path);
    expect(r.status, await r.text()).toBe(204);
    // The first draw gave the taken id; the merge drew again.
    expect(draws.mock.calls.filter(([array]) => array instanceof Uint8Array && array.length === PERIOD_SEQUENCE_LENGTH).length).toBe(2);
    const minted = Object.values((await json(await get(path))).identifier_map as Record<string, string>)[0];
    expect(minted).not.toBe(taken);
    expect(minted.startsWith('p0trgkv')).toBe(true);
    expect((await json(await get(`/${minted.slice(2)}.json`))).label).toBe('Minted twice');
    expect(await json(await get(`/${taken.slice(2)}.json`))).toEqual(before);
  });

  it('refuses the patch after ten draws that are all taken, writing nothing', async () => {
    const path = await submit(addPeriod('p0trgkv', 'unlucky', 'Unlucky'));
    mintsDraw(drawOf(taken), Infinity);
    const before = await rowCounts();
    const r = await merge(path);
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toContain('Too many identifier collisions');
    expect(await rowCounts()).toEqual(before);
  });
});
