/**
 * DatasetCoordinator: the single writer of the PeriodO dataset.
 *
 * Every change to the dataset goes through this one Durable Object. D1 calls are not
 * storage operations of the object, so input gates do not serialise a read-modify-write
 * across them: writes are chained explicitly (`exclusive`). The object keeps the head
 * version and recently touched authorities in memory, and rebuilds them from D1 whenever
 * it is evicted or a write's outcome is uncertain. Whether an id was ever used is asked of
 * D1 for the ids a patch brings: the object is evicted between most merges, and loading
 * every id again cost a one-period merge 140–160 ms at 50,000 periods.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Operation } from 'fast-json-patch';
import { and, eq, inArray } from 'drizzle-orm';
import type { Env } from '../workers/env';
import { IdentifierError, isSkolemIri, ASSIGNED_SKOLEM_RE } from '../workers/domain/identifiers';
import { HttpError } from '../workers/shared/errors';
import { readBodyStream, type BodyToRead } from '../workers/shared/request-body';
import { planMerge, type HeadState, type MergePlan, type StoredAuthority } from '../workers/domain/merge';
import { affectedEntities, deskolemize, InvalidPatchError, parsePatch, patchScope } from '../workers/domain/patch';
import { describeDataset } from '../workers/domain/void';
import { DatasetStore } from '../workers/storage/dataset-store';
import { blobStatements, storedPatchText } from '../workers/storage/blob-text';
import { markMergedStatements, mergeStatements } from '../workers/storage/merge-writer';
import { identifierMap, patchRequestComments, patchRequests } from '../workers/storage/schema';
import { checkAgainstHead, nextPatchRequestId, patchRequest, type PatchRequestRow } from '../workers/storage/patch-request-store';
import { contributorsOfMergedPatches, INITIAL_DATA_LOADER } from '../workers/storage/patch-store';
import { WHOLE_DATASET_PATCH_LIMIT } from '../workers/storage/patch-request-store';
import { chunk, database, MAX_PARAMS, runBatch, type Statement } from '../workers/storage/db';
import { markExportDone } from '../workers/storage/export-job-store';
import { searchIndexKey, storeSearchIndex } from '../workers/exports/search-index';
import { afterMerge, type MergeEvent } from '../workers/shared/after-merge';
import { deleteGraphVersions, writeBagVersion, writeGraphVersion, type PutBag, type PutGraph } from '../workers/storage/collection-store';

export interface MergeResult {
  patchRequestId: number;
  version: number;
  identifierMap: Record<string, string>;
  created: string[];
  updated: string[];
  removed: string[];
}

/** A refusal the HTTP layer reports with this status and message. */
export interface CoordinatorError {
  error: { status: number; message: string };
}

/** A new, open patch request whose patch (stored as a blob) was checked against `check.version`. */
function newRequestRow(id: number, userId: string, check: { version: number; updated: string[]; removed: string[] }) {
  const now = new Date().toISOString();
  return {
    id,
    createdBy: userId,
    updatedBy: userId,
    createdAt: now,
    updatedAt: now,
    open: true,
    merged: false,
    createdFromVersion: check.version,
    originalPatchBlob: `patch/${id}/original`,
    updatedEntities: JSON.stringify(check.updated),
    removedEntities: JSON.stringify(check.removed),
  };
}

type FailPoint = 'before-merge-batch' | 'after-merge-batch';

/** A refusal found by the writer: the HTTP layer answers its status and message. */
class CoordinatorRefusal extends HttpError {
  constructor(status: number, message: string) {
    super(status, message);
  }
}

const AUTHORITY_CACHE_PERIODS = 20_000;
/** Plans of one patch, each with new minted ids, before a run of collisions is given up on. */
const MINT_ATTEMPTS = 10;
const DEFAULT_ARK_BASE = 'http://n2t.net/ark:/99152/';

export class DatasetCoordinator extends DurableObject<Env> {
  private chain: Promise<unknown> = Promise.resolve();
  private head: HeadState | null = null;
  private recent = new Map<string, StoredAuthority>();
  private recentPeriods = 0;
  private readonly store: DatasetStore;
  private readonly searchIndexBuilds = new Map<number, Promise<void>>();
  /** Search indexes this object has built since it started (tests check concurrent requests share one). */
  searchIndexBuildCount = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new DatasetStore(env.DB);
  }

  /** Runs write operations one after another, never interleaved. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Forgets everything held in memory; the next write reloads it from D1. */
  private forget(): void {
    this.head = null;
    this.recent.clear();
    this.recentPeriods = 0;
  }

  private async loadHead(): Promise<HeadState> {
    if (this.head) return this.head;
    const row = await this.store.headVersionRow();
    if (!row) {
      throw new Error('The versions table has no version 0: apply the D1 migrations first.');
    } else {
      const stats = JSON.parse(row.stats) as { linkCounts: Record<string, number> };
      this.head = {
        version: row.id,
        meta: await this.store.meta(row.id),
        authorityCount: row.authorityCount,
        periodCount: row.periodCount,
        linkCounts: stats.linkCounts,
        contentHash: row.contentHash,
        nextPosition: row.nextPosition,
      };
    }
    return this.head;
  }

  private remember(authority: StoredAuthority): void {
    const old = this.recent.get(authority.id);
    if (old) {
      this.recent.delete(authority.id);
      this.recentPeriods -= old.periods.size;
    }
    this.recent.set(authority.id, authority);
    this.recentPeriods += authority.periods.size;
    for (const [id, a] of this.recent) {
      if (this.recentPeriods <= AUTHORITY_CACHE_PERIODS || this.recent.size <= 1) break;
      this.recent.delete(id);
      this.recentPeriods -= a.periods.size;
    }
  }

  private async loadAuthorities(ids: string[], version: number): Promise<Map<string, StoredAuthority>> {
    const out = new Map<string, StoredAuthority>();
    const missing: string[] = [];
    for (const id of ids) {
      const cached = this.recent.get(id);
      if (cached) out.set(id, cached);
      else missing.push(id);
    }
    if (missing.length) {
      const loaded = await this.store.authorities(missing, version);
      for (const [id, a] of loaded) {
        out.set(id, a);
        this.remember(a);
      }
    }
    return out;
  }

  private async alreadyMapped(ops: Operation[]): Promise<Map<string, string>> {
    const skolems = new Set<string>();
    const visit = (v: unknown) => {
      if (typeof v === 'string') {
        if (isSkolemIri(v) && !ASSIGNED_SKOLEM_RE.test(v)) skolems.add(v);
      } else if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === 'object') Object.values(v).forEach(visit);
    };
    ops.forEach((op) => visit((op as { value?: unknown }).value));
    const out = new Map<string, string>();
    for (const group of chunk([...skolems], MAX_PARAMS - 2)) {
      const rows = await this.store.db
        .select({ skolemId: identifierMap.skolemId, permanentId: identifierMap.permanentId })
        .from(identifierMap)
        .where(inArray(identifierMap.skolemId, group));
      for (const r of rows) out.set(r.skolemId, r.permanentId);
    }
    return out;
  }

  /**
   * Deskolemizes and plans a patch against the head, loading only what it touches. A minted
   * id that turns out to be taken (a random collision, checked in D1 with the patch's other
   * new ids) is planned again from the text with new ones.
   */
  private async plan(
    patchText: string,
    contribution: boolean,
  ): Promise<{ plan: MergePlan; original: Pick<Operation, 'op' | 'path'>[]; idMap: Record<string, string>; before: Map<string, StoredAuthority> }> {
    const head = await this.loadHead();
    const taken = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      const ops = parsePatch(patchText);
      // What the request records needs only each operation's kind and path as submitted; the
      // operations themselves are rewritten in place (a 5,000-period patch: no 60–100 ms copy).
      const original = ops.map(({ op, path }) => ({ op, path }));
      const mapped = await this.alreadyMapped(ops);
      let deskolemized: { ops: Operation[]; idMap: Record<string, string> };
      try {
        deskolemized = deskolemize(ops, { isUsed: (id) => taken.has(id), alreadyMapped: (s) => mapped.get(s), handedOver: true });
      } catch (error) {
        if (error instanceof IdentifierError) throw new InvalidPatchError(`Patch is not mergeable: ${error.message}`);
        throw error;
      }
      const given = Object.entries(deskolemized.idMap);
      const givenIds = new Set(given.map(([, id]) => id));
      const used = await this.store.usedIdentifiers([...givenIds]);
      const collided = given.filter(([, id]) => used.has(id));
      const assignedCollision = collided.find(([skolem]) => ASSIGNED_SKOLEM_RE.test(skolem));
      if (assignedCollision) throw new InvalidPatchError(`Patch is not mergeable: ID collision on ${assignedCollision[1]}`);
      if (collided.length > 0) {
        for (const [, id] of collided) taken.add(id);
        if (attempt === MINT_ATTEMPTS) throw new InvalidPatchError('Patch is not mergeable: Too many identifier collisions.');
        continue;
      }
      const scope = patchScope(deskolemized.ops);
      let ids = [...scope.authorities];
      if (scope.allAuthorities) {
        if (head.periodCount > WHOLE_DATASET_PATCH_LIMIT) {
          throw new InvalidPatchError(
            `This patch addresses the whole authorities map, which is only allowed while the dataset has at most ${WHOLE_DATASET_PATCH_LIMIT} periods (it has ${head.periodCount}); change authorities one by one.`,
          );
        }
        ids = await this.store.allAuthorityIds(head.version);
      }
      const loaded = await this.loadAuthorities(ids, head.version);
      const plan = await planMerge({
        head,
        loaded,
        allAuthorities: scope.allAuthorities,
        ops: deskolemized.ops,
        // The ids deskolemizing gave were found unused just now: ask D1 about the others only.
        usedAmong: (candidates) => this.store.usedIdentifiers(candidates.filter((id) => !givenIds.has(id))),
        contribution,
      });
      return { plan, original, idMap: deskolemized.idMap, before: loaded };
    }
  }

  private async voidFor(plan: MergePlan, createdAt: string, extraContributors: string[]): Promise<string> {
    const contributors = [...(await contributorsOfMergedPatches(this.store.db)), ...extraContributors];
    let base = DEFAULT_ARK_BASE;
    if (plan.head.meta) {
      const context = (JSON.parse(plan.head.meta.json) as { '@context'?: { '@base'?: unknown } })['@context'];
      if (context && typeof context['@base'] === 'string') base = context['@base'];
    }
    return describeDataset({
      base,
      authorityCount: plan.head.authorityCount,
      periodCount: plan.head.periodCount,
      linkCounts: plan.head.linkCounts,
      modified: createdAt,
      contributors,
      canonical: this.env.CANONICAL === 'true',
    });
  }

  /** Commits a planned merge: one D1 batch, then the in-memory head follows. */
  private async commit(plan: MergePlan, statements: Statement[]): Promise<void> {
    try {
      await runBatch(this.store.db, statements);
    } catch (error) {
      this.forget();
      throw error;
    }
    this.head = plan.head;
    for (const [id, a] of plan.authoritiesAfter) {
      if (a) this.remember(a);
      else if (this.recent.has(id)) {
        this.recentPeriods -= this.recent.get(id)!.periods.size;
        this.recent.delete(id);
      }
    }
  }

  /** Purges and export jobs for a committed version, waited for at most a few seconds (reads never depend on them). */
  private async afterMerge(event: MergeEvent): Promise<void> {
    await afterMerge(this.env, event);
  }

  /**
   * Merges `patchText` as patch request `patchRequestId` into a new version: one D1 batch
   * holding the version, its entities, the identifier map and the patch request's new
   * state (`requestRow` creates the request in the same batch, for operator loads).
   */
  private async mergeAsVersion(args: {
    patchRequestId: number;
    patchText: string;
    mergedBy: string;
    contributors: string[];
    /** Create the patch request in the same batch (operator loads), submitted by `mergedBy`. */
    newRequest?: boolean;
    /** False: the version's exports are not queued (a load's patches before its last). */
    queueExports?: boolean;
    /** The gzip bytes `patchText` was sent as, if it was (stored as they are). */
    sentGzip?: Uint8Array | null;
  }): Promise<MergeResult> {
    // Patch requests are contributions; a request made in the same batch is an operator load.
    const { plan, original, idMap, before } = await this.plan(args.patchText, !args.newRequest);
    // The entities the patch updates or removes, against the head it was planned on.
    const requestRow = args.newRequest
      ? newRequestRow(args.patchRequestId, args.mergedBy, {
          version: plan.version - 1,
          ...affectedEntities(original, (a) => [...(before.get(a)?.periods.keys() ?? [])]),
        })
      : null;
    const db = this.store.db;
    const now = new Date().toISOString();
    const voidTurtle = await this.voidFor(plan, now, args.contributors.filter((c) => c !== INITIAL_DATA_LOADER));
    const statements = [
      ...mergeStatements(db, { plan, createdAt: now, voidTurtle, patchRequestId: args.patchRequestId, identifierMap: idMap }),
      ...(requestRow ? [...blobStatements(db, requestRow.originalPatchBlob, await storedPatchText(args.patchText, args.sentGzip)), db.insert(patchRequests).values(requestRow)] : []),
      ...markMergedStatements(db, {
        patchRequestId: args.patchRequestId,
        mergedBy: args.mergedBy,
        mergedAt: now,
        version: plan.version,
        identifierMap: idMap,
        created: Object.values(idMap),
      }),
    ];
    await this.failpoint('before-merge-batch');
    await this.commit(plan, statements);
    await this.failpoint('after-merge-batch');
    await this.afterMerge({
      version: plan.version,
      entities: [...plan.changed.created, ...plan.changed.updated, ...plan.changed.removed],
      patchRequestId: args.patchRequestId,
      queueExports: args.queueExports,
    });
    return {
      patchRequestId: args.patchRequestId,
      version: plan.version,
      identifierMap: idMap,
      created: plan.changed.created,
      updated: plan.changed.updated,
      removed: plan.changed.removed,
    };
  }

  /**
   * Reads an operator's patch from its request body and merges it at once, as one
   * transaction (the initial data load and operator loads). The body is read here, not by
   * the Worker: handing the coordinator 3.7 MB of text cost a 5,000-period patch 57–108 ms
   * more than handing it the stream (docs/initial-load.md). Refusals, the body's own
   * included (413, 400), come back as `{ error }` with a status and message.
   * `options.queueExports: false` for a load's patches before its last.
   */
  async load(
    body: ReadableStream<Uint8Array> | null,
    toRead: BodyToRead,
    userId: string,
    options: { queueExports?: boolean } = {},
  ): Promise<MergeResult | CoordinatorError> {
    return this.refusalsAsErrors(async () => {
      // Read before the turn in line: a slow sender holds up no other write.
      const { text, gzip } = await readBodyStream(body, toRead);
      return this.exclusive(async () => {
        const patchRequestId = await nextPatchRequestId(this.store.db);
        return this.mergeAsVersion({
          patchRequestId,
          patchText: text,
          mergedBy: userId,
          contributors: patchRequestId > 1 ? [userId] : [],
          newRequest: true,
          queueExports: options.queueExports,
          sentGzip: gzip,
        });
      });
    });
  }

  /**
   * A submitted patch must be a JSON Patch that applies to the head version and that
   * the merge would accept: it is planned as a merge would plan it, and nothing is written.
   */
  private async checkSubmission(patchText: string): Promise<{ version: number; updated: string[]; removed: string[] }> {
    const ops = parsePatch(patchText);
    const check = await checkAgainstHead(this.store, ops);
    if (!check.applies) throw new InvalidPatchError(check.message);
    await this.planOrRefuse(patchText);
    return check;
  }

  /** Plans `patchText` against the head; an invalid patch is refused with 400 and why. */
  private async planOrRefuse(patchText: string): Promise<void> {
    try {
      await this.plan(patchText, true);
    } catch (error) {
      if (error instanceof HttpError) throw new CoordinatorRefusal(400, error.message);
      throw error;
    }
  }

  /** Records a submitted patch request (open, not merged). */
  async submitPatch(patchText: string, userId: string): Promise<{ patchRequestId: number } | CoordinatorError> {
    return this.refusalsAsErrors(() =>
      this.exclusive(async () => {
        const check = await this.checkSubmission(patchText);
        const db = this.store.db;
        const id = await nextPatchRequestId(db);
        const row = newRequestRow(id, userId, check);
        await db.batch([...blobStatements(db, row.originalPatchBlob, await storedPatchText(patchText)), db.insert(patchRequests).values(row)] as never);
        return { patchRequestId: id };
      }),
    );
  }

  private async openRequest(id: number, verb: string): Promise<PatchRequestRow> {
    const row = await patchRequest(this.store.db, id);
    if (!row) throw new CoordinatorRefusal(404, `No patch with ID ${id}.`);
    if (row.merged) throw new CoordinatorRefusal(404, 'Patch is already merged.');
    if (!row.open) throw new CoordinatorRefusal(404, `Closed patches cannot be ${verb}.`);
    return row;
  }

  /**
   * Replaces the patch of an open request. A patch that no longer applies is still saved
   * (its request shows `mergeable: false`) so that it can be fixed later.
   */
  async updatePatch(id: number, patchText: string, userId: string): Promise<{ patchRequestId: number } | CoordinatorError> {
    return this.refusalsAsErrors(() =>
      this.exclusive(async () => {
        const row = await this.openRequest(id, 'updated');
        const ops = parsePatch(patchText);
        const check = await checkAgainstHead(this.store, ops);
        // A patch that no longer applies is kept to be fixed; one the merge would refuse for
        // what it does (not where it applies) is refused now.
        if (check.applies) await this.planOrRefuse(patchText);
        const db = this.store.db;
        const now = new Date().toISOString();
        await db.batch([
          ...blobStatements(db, row.originalPatchBlob, await storedPatchText(patchText)),
          db
            .update(patchRequests)
            .set({
              updatedBy: userId,
              updatedAt: now,
              createdFromVersion: check.version,
              ...(check.applies ? { updatedEntities: JSON.stringify(check.updated), removedEntities: JSON.stringify(check.removed) } : {}),
            })
            .where(and(eq(patchRequests.id, id), eq(patchRequests.open, true))),
        ] as never);
        return { patchRequestId: id };
      }),
    );
  }

  /** Merges an open patch request into a new version. */
  async mergePatch(id: number, userId: string): Promise<MergeResult | CoordinatorError> {
    return this.refusalsAsErrors(() =>
      this.exclusive(async () => {
        const row = await this.openRequest(id, 'merged');
        const patchText = await this.store.readBlob(row.originalPatchBlob);
        if (patchText === null) throw new Error(`patch request ${id} has no stored patch`);
        try {
          return await this.mergeAsVersion({ patchRequestId: id, patchText, mergedBy: userId, contributors: [row.createdBy, row.updatedBy] });
        } catch (error) {
          if (error instanceof InvalidPatchError || error instanceof IdentifierError) {
            throw new CoordinatorRefusal(400, error.message.startsWith('Patch is not mergeable') ? error.message : `Patch is not mergeable: ${error.message}`);
          }
          throw error;
        }
      }),
    );
  }

  /** Closes an open patch request without merging it. */
  async rejectPatch(id: number, userId: string): Promise<{ patchRequestId: number } | CoordinatorError> {
    return this.refusalsAsErrors(() =>
      this.exclusive(async () => {
        await this.openRequest(id, 'merged');
        const now = new Date().toISOString();
        await this.store.db
          .update(patchRequests)
          .set({ open: false, merged: false, mergedAt: now, mergedBy: userId })
          .where(and(eq(patchRequests.id, id), eq(patchRequests.open, true)));
        return { patchRequestId: id };
      }),
    );
  }

  /** Adds a comment to a patch request (open or not). */
  async addComment(id: number, userId: string, message: string): Promise<{ commentId: number } | CoordinatorError> {
    return this.refusalsAsErrors(() =>
      this.exclusive(async () => {
        if (!(await patchRequest(this.store.db, id))) throw new CoordinatorRefusal(404, `No patch with ID ${id}.`);
        const [row] = await this.store.db
          .insert(patchRequestComments)
          .values({ patchRequestId: id, author: userId, message, postedAt: new Date().toISOString() })
          .returning({ id: patchRequestComments.id });
        return { commentId: row.id };
      }),
    );
  }

  /**
   * Test hooks (only where ENVIRONMENT is "development", i.e. locally and in tests): the
   * next merge fails at the named point (`throw`), or the object is reset there as a
   * crash or redeploy would (`abort`) — `before-merge-batch` is after its plan and before
   * its D1 batch, `after-merge-batch` after the batch committed and before the purge and
   * export queueing.
   */
  private failAt: { point: FailPoint; mode: 'throw' | 'abort' } | null = null;
  async injectFailure(point: FailPoint | null, mode: 'throw' | 'abort' = 'throw'): Promise<boolean> {
    if (this.env.ENVIRONMENT !== 'development') return false;
    this.failAt = point ? { point, mode } : null;
    return true;
  }
  private async failpoint(point: FailPoint): Promise<void> {
    if (this.failAt?.point !== point) return;
    const { mode } = this.failAt;
    this.failAt = null;
    if (mode === 'abort') this.ctx.abort(`injected reset at ${point}`);
    throw new Error(`injected failure at ${point}`);
  }

  private async refusalsAsErrors<T>(fn: () => Promise<T>): Promise<T | CoordinatorError> {
    try {
      return await fn();
    } catch (error) {
      // Errors lose their class across the Durable Object boundary: refusals travel as values.
      if (error instanceof HttpError) return { error: { status: error.status, message: error.message } };
      const message = String((error as Error)?.message ?? error);
      if (message.includes('version conflict')) {
        return { error: { status: 409, message: 'Another change was merged at the same time; nothing was written. Try again.' } };
      }
      console.error(`dataset coordinator: ${message}`);
      this.forget();
      return { error: { status: 503, message: 'The change could not be written; nothing was changed. Try again shortly.' } };
    }
  }

  // --- Bags and graphs (issue 3): versioned through this object too. ---

  /**
   * Writes the next version of a bag (version 0 makes the caller its owner). Serialised
   * with every other write, so concurrent PUTs get consecutive versions and none is lost;
   * the version row and its document chunks are one batch.
   */
  async putBag(args: PutBag): Promise<{ version: number } | CoordinatorError> {
    return this.refusalsAsErrors(() => this.exclusive(() => writeBagVersion(this.store.db, args)));
  }

  /** Writes the next version of a graph (its document may be far over D1's 2 MB value limit). */
  async putGraph(args: PutGraph): Promise<{ version: number } | CoordinatorError> {
    // The caller purges the edge cache once this returns (it holds the cache's index of keys).
    return this.refusalsAsErrors(() => this.exclusive(() => writeGraphVersion(this.store.db, args)));
  }

  /** Marks every version of a graph deleted; `deleted: false` when no such graph was ever written. */
  async deleteGraph(id: string): Promise<{ deleted: boolean } | CoordinatorError> {
    return this.refusalsAsErrors(() => this.exclusive(() => deleteGraphVersions(this.store.db, id)));
  }

  // --- end of bags and graphs ---

  /**
   * Makes sure the search index of `version` is in R2: the route's fallback when the export
   * queue has not built it yet. However many requests ask at once, one build per version
   * runs (this object is the only one of its kind, so its memory is the one place they all
   * meet). Not `exclusive`: writes do not wait behind it.
   */
  async ensureSearchIndex(version: number): Promise<void> {
    let build = this.searchIndexBuilds.get(version);
    if (!build) {
      build = (async () => {
        if (await this.env.EXPORTS.head(searchIndexKey(version))) return;
        this.searchIndexBuildCount++;
        const result = await storeSearchIndex(this.env, version);
        await markExportDone(database(this.env.DB), version, 'search-index', result);
      })().finally(() => this.searchIndexBuilds.delete(version));
      this.searchIndexBuilds.set(version, build);
    }
    await build;
  }

  /** The health check's round trip: the head this object holds in memory (null: none loaded yet). */
  async ping(): Promise<{ head: number | null }> {
    return { head: this.head?.version ?? null };
  }

  /** Drops the in-memory state (tests use it to check the rebuild from D1; an import needs it). */
  async resetMemory(): Promise<void> {
    await this.exclusive(async () => this.forget());
  }
}
