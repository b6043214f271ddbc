/**
 * The data API's patch requests, as the client uses them: submit a change set
 * (`PATCH d/` and its first comment), list proposals page by page (the `Link` header),
 * read one with its patch, revise it (`PUT …/patch.jsonpatch`), comment, merge, reject.
 */
import type { Operation } from 'fast-json-patch';
import type { Entity } from '../editing/change-set';
import type { DatasetFragment } from '../editing/review';
import { shortId } from '../api/client';
import type { PatchSummary } from '../api/types';
import { authorizedFetch, failure } from './session';
import { linkRels, proposalsPath, type ProposalStatus } from './patch-list';

export { linkRels, proposalsPath, statusOf, versionOf, type ProposalStatus } from './patch-list';

export interface PatchComment {
  author: string;
  message: string;
  posted_at: string;
}

export type { PatchSummary };

export interface PatchRequest extends PatchSummary {
  mergeable: boolean;
  comments: PatchComment[];
}




const JSON_HEADERS = { Accept: 'application/json' };

/** Submits a change set; its comment becomes the proposal's first message. Returns the proposal's URL. */
export async function submitProposal(patch: Operation[], comment: string): Promise<string> {
  const response = await authorizedFetch('d/', { method: 'PATCH', headers: { 'Content-Type': 'application/json', ...JSON_HEADERS }, body: JSON.stringify(patch) });
  if (response.status !== 202 && !response.ok) throw await failure(response, 'Submitting the change');
  const location = response.headers.get('Location');
  if (!location) throw new Error('The data API accepted the change but did not say where it is.');
  await addComment(location, comment);
  return location;
}

export async function addComment(patchUrl: string, message: string): Promise<void> {
  const response = await authorizedFetch(`${patchUrl.replace(/\/?$/, '/')}messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...JSON_HEADERS },
    body: JSON.stringify({ message }),
  });
  if (!response.ok) throw await failure(response, 'Posting the comment');
}

export async function revisePatch(patchUrl: string, patch: Operation[]): Promise<void> {
  const response = await authorizedFetch(`${patchUrl.replace(/\/?$/, '/')}patch.jsonpatch`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', ...JSON_HEADERS },
    body: JSON.stringify(patch),
  });
  if (!response.ok) throw await failure(response, 'Revising the change');
}

export async function review(patchUrl: string, action: 'merge' | 'reject'): Promise<void> {
  const response = await authorizedFetch(`${patchUrl.replace(/\/?$/, '/')}${action}`, { method: 'POST', headers: JSON_HEADERS });
  if (!response.ok) throw await failure(response, action === 'merge' ? 'Merging' : 'Rejecting');
}

export interface ProposalPage {
  items: PatchSummary[];
  total: number | null;
  next: string | null;
  prev: string | null;
}



/** One page of proposals: `path` is from `proposalsPath` or a `next`/`prev` link. */
export async function listProposals(path: string): Promise<ProposalPage> {
  const response = await authorizedFetch(path, { headers: JSON_HEADERS });
  if (!response.ok) throw await failure(response, 'Listing proposals');
  const rels = linkRels(response.headers.get('Link'));
  const total = response.headers.get('X-Total-Count');
  return { items: (await response.json()) as PatchSummary[], total: total === null ? null : Number(total), next: rels.next ?? null, prev: rels.prev ?? null };
}

/** The person's own proposals (the API cannot filter by author, so its pages are read through). */
export async function proposalsBy(userId: string): Promise<PatchSummary[]> {
  const mine: PatchSummary[] = [];
  let path: string | null = proposalsPath('all', 250);
  for (let pages = 0; path && pages < 40; pages++) {
    const page: ProposalPage = await listProposals(path);
    mine.push(...page.items.filter((p) => p.created_by === userId));
    path = page.next;
  }
  return mine;
}

export async function getProposal(patchUrl: string): Promise<{ proposal: PatchRequest; canMerge: boolean }> {
  const response = await authorizedFetch(patchUrl, { headers: JSON_HEADERS, cache: 'no-store' });
  if (!response.ok) throw await failure(response, 'Reading the proposal');
  return { proposal: (await response.json()) as PatchRequest, canMerge: 'merge' in linkRels(response.headers.get('Link')) };
}

export async function getPatch(proposal: PatchSummary): Promise<Operation[]> {
  const response = await authorizedFetch(proposal.text, { headers: JSON_HEADERS, cache: 'no-store' });
  if (!response.ok) throw await failure(response, 'Reading the patch');
  return (await response.json()) as Operation[];
}

/** Keys the API adds to an entity it serves that are not part of the entity in the dataset. */
const SERVED_ONLY = ['@context', 'primaryTopicOf'];

export function datasetEntity(served: Entity, kind: 'authority' | 'period'): Entity {
  const out: Entity = { ...served };
  for (const key of SERVED_ONLY) delete out[key];
  if (kind === 'period') delete out.authority;
  return out;
}

/** One authority as stored in the dataset (at a version, or now); null if it did not exist. */
export async function authorityAt(id: string, version: number | null): Promise<Entity | null> {
  const short = shortId(id);
  if (!/^p0[0-9a-z]{5}$/.test(short)) return null;
  const path = `${short.slice(2)}.json${version === null ? '' : `?version=${version}`}`;
  const response = await authorizedFetch(path, { headers: JSON_HEADERS, cache: 'no-store' });
  if (response.status === 404 || response.status === 410) return null;
  if (!response.ok) throw await failure(response, `Reading authority ${short}`);
  return datasetEntity((await response.json()) as Entity, 'authority');
}

/** The authorities a review needs, at one version (null: the current one). */
export async function fragmentAt(ids: string[], version: number | null): Promise<DatasetFragment> {
  const fragment: DatasetFragment = { authorities: {} };
  const found = await Promise.all(ids.map((id) => authorityAt(id, version)));
  ids.forEach((id, i) => {
    if (found[i]) fragment.authorities[id] = found[i]!;
  });
  return fragment;
}
