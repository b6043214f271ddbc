/**
 * DatasetCoordinator: the single writer of the PeriodO dataset.
 *
 * Every change to the dataset goes through this one Durable Object. D1 calls are not
 * storage operations of the object, so input gates do not serialise a read-modify-write
 * across them: writes are chained explicitly (`exclusive`). The object keeps the head
 * version, the ids ever used and recently touched authorities in memory, and rebuilds
 * them from D1 whenever it is evicted or a write's outcome is uncertain.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Operation } from 'fast-json-patch';
import { inArray, max } from 'drizzle-orm';
import type { Env } from '../workers/env';
import { IdentifierError, SKOLEM_RE, ASSIGNED_SKOLEM_RE } from '../workers/domain/identifiers';
import { planMerge, type HeadState, type MergePlan, type StoredAuthority } from '../workers/domain/merge';
import { affectedEntities, deskolemize, InvalidPatchError, parsePatch, patchScope } from '../workers/domain/patch';
import { describeDataset } from '../workers/domain/void';
import { DatasetStore } from '../workers/storage/dataset-store';
import { blobStatements, markMergedStatements, mergeStatements } from '../workers/storage/merge-writer';
import { identifierMap, patchRequests } from '../workers/storage/schema';
import { contributorsOfMergedPatches, INITIAL_DATA_LOADER } from '../workers/storage/patch-store';
import { chunk, MAX_PARAMS } from '../workers/storage/db';
import { afterMerge, type MergeEvent } from '../workers/shared/after-merge';

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

const AUTHORITY_CACHE_PERIODS = 20_000;
/** Beyond this many periods a patch may not address the whole authorities map at once. */
const WHOLE_DATASET_PATCH_LIMIT = 5_000;
const DEFAULT_ARK_BASE = 'http://n2t.net/ark:/99152/';

export class DatasetCoordinator extends DurableObject<Env> {
  private chain: Promise<unknown> = Promise.resolve();
  private head: HeadState | null = null;
  private usedIds: Set<string> | null = null;
  private recent = new Map<string, StoredAuthority>();
  private recentPeriods = 0;
  private readonly store: DatasetStore;

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
    this.usedIds = null;
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

  private async loadUsedIds(): Promise<Set<string>> {
    if (!this.usedIds) this.usedIds = new Set(await this.store.allIdentifiers());
    return this.usedIds;
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
        if (SKOLEM_RE.test(v) && !ASSIGNED_SKOLEM_RE.test(v)) skolems.add(v);
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

  /** Deskolemizes and plans a patch against the head, loading only what it touches. */
  private async plan(
    patchText: string,
  ): Promise<{ plan: MergePlan; applied: Operation[]; idMap: Record<string, string>; before: Map<string, StoredAuthority> }> {
    const head = await this.loadHead();
    const original = parsePatch(patchText);
    const used = await this.loadUsedIds();
    const mapped = await this.alreadyMapped(original);
    let deskolemized: { ops: Operation[]; idMap: Record<string, string> };
    try {
      deskolemized = deskolemize(original, { isUsed: (id) => used.has(id), alreadyMapped: (s) => mapped.get(s) });
    } catch (error) {
      if (error instanceof IdentifierError) throw new InvalidPatchError(`Patch is not mergeable: ${error.message}`);
      throw error;
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
      isUsed: (id) => used.has(id),
    });
    return { plan, applied: deskolemized.ops, idMap: deskolemized.idMap, before: loaded };
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
  private async commit(plan: MergePlan, statements: Parameters<DatasetStore['db']['batch']>[0] extends infer T ? T : never): Promise<void> {
    try {
      await this.store.db.batch(statements);
    } catch (error) {
      this.forget();
      throw error;
    }
    this.head = plan.head;
    for (const id of [...plan.newIdentifiers.map((n) => n.id)]) this.usedIds?.add(id);
    for (const [id, a] of plan.authoritiesAfter) {
      if (a) this.remember(a);
      else if (this.recent.has(id)) {
        this.recentPeriods -= this.recent.get(id)!.periods.size;
        this.recent.delete(id);
      }
    }
  }

  /** Purges and export jobs for a committed version; awaited so the next read sees it. */
  private async afterMerge(event: MergeEvent): Promise<void> {
    await afterMerge(this.env, event);
  }

  /**
   * Submits a patch and merges it at once, as one transaction (the initial data load
   * and operator loads). Refusals come back as `{ error }` with a status and message.
   */
  async submitAndMerge(patchText: string, userId: string): Promise<MergeResult | CoordinatorError> {
    return this.refusalsAsErrors(() =>
      this.exclusive(async () => {
        const { plan, applied, idMap, before } = await this.plan(patchText);
        const db = this.store.db;
        const [row] = await db.select({ id: max(patchRequests.id) }).from(patchRequests);
        const patchRequestId = (row?.id ?? 0) + 1;
        const now = new Date().toISOString();
        const original = parsePatch(patchText);
        // Removing an authority removes the periods it had before the merge (after it, it has none).
        const affected = affectedEntities(original, (a) => [...(before.get(a)?.periods.keys() ?? [])]);
        // Later operator loads are merged as the loader too: no contributor to credit.
        const extra = patchRequestId > 1 && userId !== INITIAL_DATA_LOADER ? [userId] : [];
        const voidTurtle = await this.voidFor(plan, now, extra);
        const originalBlob = `patch/${patchRequestId}/original`;
        const statements = [
          ...mergeStatements(db, { plan, createdAt: now, voidTurtle, patchRequestId, identifierMap: idMap }),
          ...blobStatements(db, originalBlob, patchText),
          db.insert(patchRequests).values({
            id: patchRequestId,
            createdBy: userId,
            updatedBy: userId,
            createdAt: now,
            updatedAt: now,
            open: true,
            merged: false,
            originalPatchBlob: originalBlob,
            updatedEntities: JSON.stringify(affected.updated),
            removedEntities: JSON.stringify(affected.removed),
          }),
          ...markMergedStatements(db, {
            patchRequestId,
            mergedBy: userId,
            mergedAt: now,
            version: plan.version,
            appliedPatch: JSON.stringify(applied),
            identifierMap: idMap,
            created: Object.values(idMap),
          }),
        ];
        await this.commit(plan, statements as never);
        await this.afterMerge({
          version: plan.version,
          entities: [...plan.changed.created, ...plan.changed.updated, ...plan.changed.removed],
          patchRequestId,
        });
        return {
          patchRequestId,
          version: plan.version,
          identifierMap: idMap,
          created: plan.changed.created,
          updated: plan.changed.updated,
          removed: plan.changed.removed,
        };
      }),
    );
  }

  private async refusalsAsErrors<T>(fn: () => Promise<T>): Promise<T | CoordinatorError> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof InvalidPatchError) return { error: { status: 400, message: error.message } };
      if (error instanceof IdentifierError) return { error: { status: 400, message: error.message } };
      const message = String((error as Error)?.message ?? error);
      if (message.includes('version conflict')) {
        return { error: { status: 409, message: 'Another change was merged at the same time; nothing was written. Try again.' } };
      }
      throw error;
    }
  }

  // --- Bags and graphs (issue 3): versioned through this object too. ---

  // --- end of bags and graphs ---

  /** Drops the in-memory state (tests use it to check the rebuild from D1). */
  async resetMemory(): Promise<void> {
    await this.exclusive(async () => this.forget());
  }
}
