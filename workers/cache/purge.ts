/**
 * Purging the edge cache after changes.
 *
 * Correctness never waits on a purge: latest entries are keyed by generations read from D1
 * (the head version, the graphs generation), so a change makes them unreachable everywhere
 * at once, and immutable versions never change. Purges only reclaim space early (the Cache
 * API would otherwise evict unreachable entries when their edge lifetime ends or by LRU).
 *
 * Two purgers behind one interface:
 * - local: `caches.default.delete` of the keys this isolate stored with the purged tags and
 *   of keys derived from explicit URLs (development, tests: one data centre, one isolate);
 * - zone: Cloudflare's purge-by-tag API, used when CACHE_ZONE_ID and CACHE_PURGE_TOKEN are
 *   configured (staging, production): every entry carries its tags in `Cache-Tag`.
 * A failed or hanging purge (each call times out) is retried a few times, then logged; it
 * never throws into a merge, which waits for it only briefly (workers/shared/after-merge.ts).
 */
import { logEvent } from '../shared/request-log';
import type { Env } from '../env';
import type { MergeEvent } from '../shared/after-merge';
import { COMMON_ACCEPTS, cacheKey, generationFor } from './keys';
import { currentGenerations } from './generations';
import { classify, graphPrefixes, pathTag, scopedTags } from './policy';
import { seenAccepts, seenOrigins, takeKeys } from './registry';
import { allWrites } from './pending-writes';

export interface PurgeRequest {
  /** Resource tags (unscoped), e.g. `dataset`, `entity:p0trgkv`, `path:/d.json`. */
  tags: string[];
  /** Public URLs: the local purger also deletes every key variant derived from them. */
  urls?: string[];
  /** Everything this environment cached. */
  everything?: boolean;
}

export interface PurgeReport {
  purger: 'local' | 'zone';
  ok: boolean;
  tags: string[];
  /** Local: cache entries deleted. */
  deleted?: number;
  /** Zone: API calls made (including retries). */
  calls?: number;
  errors?: string[];
}

export interface Purger {
  readonly kind: 'local' | 'zone';
  purge(request: PurgeRequest): Promise<PurgeReport>;
}

/** After a merge: every family a merge changes, and each entity it touched (beyond 100, all entities). */
export const MERGE_FAMILIES = ['dataset', 'context', 'history', 'void', 'identifier-map', 'patches', 'feed', 'graphs-root'];
const MAX_ENTITY_TAGS = 100;

const PURGE_BATCH = 30;
const RETRY_DELAYS_MS = [250, 1000];
const MAX_RETRY_AFTER_MS = 2000;
/** A purge API call that has not answered by then is abandoned (and retried like a failure). */
export const PURGE_CALL_TIMEOUT_MS = 5000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function defaultCache(): Cache | null {
  try {
    return typeof caches === 'undefined' ? null : caches.default;
  } catch {
    return null;
  }
}

/** Every key a public URL may be stored under now (all Accept variants seen or common). */
async function keysOfUrl(env: Env, url: URL): Promise<string[]> {
  const policy = classify(url);
  if (!policy) return [];
  const generations = new Set([generationFor(policy.mode, await currentGenerations(env, policy.keyedBy))]);
  if (policy.versioned) generations.add(generationFor('immutable', {}));
  const accepts = new Set([...COMMON_ACCEPTS, ...seenAccepts()]);
  const out: string[] = [];
  for (const generation of generations) {
    for (const accept of accepts) out.push(cacheKey(url, { serverVersion: env.SERVER_VERSION, accept, generation }));
  }
  return out;
}

export class LocalPurger implements Purger {
  readonly kind = 'local';
  constructor(private readonly env: Env) {}

  async purge(request: PurgeRequest): Promise<PurgeReport> {
    const tags = scopedTags(this.env.ENVIRONMENT, request.everything ? ['all'] : request.tags);
    const report: PurgeReport = { purger: 'local', ok: true, tags, deleted: 0 };
    const cache = defaultCache();
    if (!cache) return report;
    const keys = new Set(takeKeys(request.everything ? null : tags));
    for (const u of request.urls ?? []) for (const k of await keysOfUrl(this.env, new URL(u))) keys.add(k);
    const results = await Promise.allSettled([...keys].map((k) => cache.delete(k)));
    for (const r of results) {
      if (r.status === 'fulfilled' && r.value) report.deleted!++;
      if (r.status === 'rejected') {
        report.ok = false;
        (report.errors ??= []).push(String(r.reason));
      }
    }
    return report;
  }
}

export class ZonePurger implements Purger {
  readonly kind = 'zone';
  constructor(
    private readonly env: Env,
    private readonly zoneId: string,
    private readonly token: string,
  ) {}

  private async call(body: unknown, report: PurgeReport): Promise<void> {
    const endpoint = `https://api.cloudflare.com/client/v4/zones/${encodeURIComponent(this.zoneId)}/purge_cache`;
    let lastError = '';
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
      report.calls = (report.calls ?? 0) + 1;
      let retryAfter = 0;
      try {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(PURGE_CALL_TIMEOUT_MS),
        });
        const text = await response.text();
        let success = response.ok;
        try {
          success = response.ok && (JSON.parse(text) as { success?: boolean }).success !== false;
        } catch {
          // A non-JSON body: judge by the status.
        }
        if (success) return;
        lastError = `HTTP ${response.status}: ${text.slice(0, 300)}`;
        // Refusals that a retry cannot fix (bad token, bad zone, bad request).
        if (response.status < 500 && response.status !== 429) break;
        retryAfter = Math.min(MAX_RETRY_AFTER_MS, Number(response.headers.get('Retry-After') ?? 0) * 1000 || 0);
      } catch (error) {
        lastError = String(error);
      }
      if (attempt < RETRY_DELAYS_MS.length) await sleep(Math.max(retryAfter, RETRY_DELAYS_MS[attempt]));
    }
    report.ok = false;
    (report.errors ??= []).push(lastError);
  }

  async purge(request: PurgeRequest): Promise<PurgeReport> {
    // `everything` purges this environment's tag, never the whole zone (other hosts share it).
    const tags = scopedTags(this.env.ENVIRONMENT, request.everything ? ['all'] : request.tags);
    const report: PurgeReport = { purger: 'zone', ok: true, tags, calls: 0 };
    for (let i = 0; i < tags.length; i += PURGE_BATCH) await this.call({ tags: tags.slice(i, i + PURGE_BATCH) }, report);
    return report;
  }
}

/** The zone purger where a zone and token are configured, else the local one. */
export function purgerFor(env: Env): Purger {
  if (env.CACHE_ZONE_ID && env.CACHE_PURGE_TOKEN) return new ZonePurger(env, env.CACHE_ZONE_ID, env.CACHE_PURGE_TOKEN);
  return new LocalPurger(env);
}

async function purgeLogged(env: Env, what: string, request: PurgeRequest): Promise<PurgeReport> {
  const purger = purgerFor(env);
  // An entry still being written here would land after the purge.
  await allWrites();
  let report: PurgeReport;
  try {
    report = await purger.purge(request);
  } catch (error) {
    report = { purger: purger.kind, ok: false, tags: request.tags, errors: [String(error)] };
  }
  if (!report.ok) console.error(`edge cache: purge after ${what} failed (${report.purger}): ${(report.errors ?? []).join('; ')}`);
  logEvent('purge', { reason: what, purger: report.purger, ok: report.ok, tags: request.tags.length, everything: request.everything ?? false }, report.ok ? 'info' : 'error');
  return report;
}

/** The tags a merge makes stale: the families it changes and the entities it touched. */
export function mergeTags(event: MergeEvent): string[] {
  const entities = event.entities.length > MAX_ENTITY_TAGS ? ['entities'] : event.entities.map((id) => `entity:${id}`);
  return [...MERGE_FAMILIES, ...entities];
}

/** Called by the DatasetCoordinator after each committed merge. Never throws. */
export async function purgeAfterMerge(env: Env, event: MergeEvent): Promise<void> {
  await purgeLogged(env, `merge of version ${event.version}`, { tags: mergeTags(event) });
}

/** The public URLs of a graph and of each container above it (without origin). */
export function graphPaths(graphId: string): string[] {
  const paths = ['/graphs/', '/graphs.json'];
  for (const id of graphPrefixes(graphId)) paths.push(`/graphs/${id}`, `/graphs/${id}.json`, `/graphs/${id}/`);
  return paths;
}

/**
 * Called after a graph PUT or DELETE: the graph, each of its prefix containers and the
 * graphs root. `origin` (the writing request's) lets the local purger derive exact keys.
 */
export async function purgeGraph(env: Env, graphId: string, options: { origin?: string } = {}): Promise<PurgeReport> {
  const tags = ['graphs-root', ...graphPrefixes(graphId).map((id) => `graph:${id}`)];
  const origins = options.origin ? [options.origin] : seenOrigins();
  const urls = origins.flatMap((o) => graphPaths(graphId).map((p) => new URL(p, o).toString()));
  return purgeLogged(env, `graph ${graphId} changed`, { tags, urls });
}

/** Operator purge of given URLs: every variant of each path (any query, any Accept). */
export async function purgeUrls(env: Env, urls: string[]): Promise<PurgeReport> {
  const tags = urls.map((u) => pathTag(new URL(u).pathname));
  return purgeLogged(env, 'operator request', { tags, urls });
}

/** Operator purge of everything this environment cached. */
export async function purgeEverything(env: Env): Promise<PurgeReport> {
  return purgeLogged(env, 'operator request', { tags: [], everything: true });
}
