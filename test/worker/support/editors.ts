/**
 * Signed-in users for write tests: a contributor and an editor created through the admin
 * endpoint (as `npm run periodo -- users add` does), and the requests they send.
 */
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { ADMIN_TOKEN, get, H } from '../read-api/support';

export const USERS = {
  contributor: { orcid: '1234-5678-9101-112X', token: 'fault-contributor-token', permissions: ['submit-patch', 'create-bag'] },
  editor: { orcid: '1211-1098-7654-321X', token: 'fault-editor-token', permissions: ['submit-patch', 'create-bag', 'accept-patch', 'create-graph'] },
};
export type UserName = keyof typeof USERS;

export interface TestUser {
  orcid: string;
  token: string;
  permissions: string[];
}

/** Creates the users through the admin API (these editors by default). */
export async function addUsers(users: Record<string, TestUser> = USERS): Promise<void> {
  for (const u of Object.values(users)) {
    const r = await get(`/admin/users/${u.orcid}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `User ${u.orcid}`, token: u.token, permissions: u.permissions }),
    });
    expect(r.status).toBe(200);
  }
}

export const bearer = (name: UserName) => ({ Authorization: `Bearer ${btoa(USERS[name].token)}` });

/** A request as `as` (anonymous when null); a non-string body is sent as JSON. */
export function send(method: string, path: string, as: UserName | null, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return get(path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(as ? bearer(as) : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body),
  });
}

/** Submits a patch that must be accepted; returns its path `/patches/N/`. */
export async function submit(patch: unknown, as: UserName = 'contributor'): Promise<string> {
  const response = await send('PATCH', '/d/', as, patch);
  expect(response.status, await response.clone().text()).toBe(202);
  const location = response.headers.get('Location')!;
  expect(location).toMatch(new RegExp(`^${H}/patches/\\d+/$`));
  return new URL(location).pathname;
}

export function merge(patchPath: string, as: UserName = 'editor'): Promise<Response> {
  return send('POST', `${patchPath}merge`, as);
}

/** A patch that adds one period (a skolem id) to an authority. */
export function addPeriod(authorityId: string, key: string, label = `Period ${key}`): unknown[] {
  const skolem = `https://perio.do/.well-known/genid/${key}`;
  return [{ op: 'add', path: `/authorities/${authorityId}/periods/${skolem.replace(/\//g, '~1')}`, value: { id: skolem, type: 'Period', label } }];
}

/** Always applies, whatever was merged before. */
export const noteOnAuthority = (note: string, authorityId = 'p0trgkv') => [{ op: 'add', path: `/authorities/${authorityId}/editorialNote`, value: note }];

/** Row counts of every table a write touches (not the export jobs the queue consumer keeps): a refused or failed write changes none. */
export async function rowCounts(): Promise<Record<string, number>> {
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%' AND name <> 'export_jobs' ORDER BY name",
  ).all<{ name: string }>();
  const out: Record<string, number> = {};
  for (const { name } of results) {
    out[name] = (await env.DB.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).first<{ n: number }>())!.n;
  }
  return out;
}
