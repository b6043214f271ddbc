/**
 * Reading the versioned dataset from D1: one entity, one version's figures, or the whole
 * version streamed page by page (never the whole dataset in memory).
 */
import { and, asc, desc, eq, gt, inArray, isNull, lte, max, sql } from 'drizzle-orm';
import type { HeadState, StoredAuthority, StoredMeta, StoredPeriod } from '../domain/merge';
import { chunk, database, MAX_PARAMS, runRead, validAt, type BatchRead, type Db } from './db';
import { headSpanQuery, noHeadSpan, type DocumentSpanRow } from './document-span-store';
import { bulkParams } from './merge-writer';
import { readBlobText } from './blob-text';
import { authorities, datasetMeta, identifiers, periods, versions } from './schema';

export type VersionRow = typeof versions.$inferSelect;
export type VersionWithMeta = { row: VersionRow; meta: StoredMeta | null };
export type EntityWithMeta = {
  meta: StoredMeta | null;
  entity: StoredAuthority | (StoredPeriod & { authorityId: string; validFrom: number }) | null;
};

/** An authority at the head: located in the head's JSON document (`span`), or read whole (`entity`). */
export type AuthorityAtHead = { meta: StoredMeta | null } & ({ span: DocumentSpanRow; entity: null } | { span: null; entity: EntityWithMeta['entity'] });

function toMeta(rows: (typeof datasetMeta.$inferSelect)[]): StoredMeta | null {
  return rows[0] ? { validFrom: rows[0].validFrom, json: rows[0].json, hash: rows[0].hash } : null;
}

export class DatasetStore {
  readonly db: Db;
  constructor(d1: D1Database) {
    this.db = database(d1);
  }

  async headVersion(): Promise<number> {
    const [row] = await this.db.select({ v: max(versions.id) }).from(versions);
    return row?.v ?? 0;
  }

  async version(id: number): Promise<VersionRow | undefined> {
    return this.db.query.versions.findFirst({ where: eq(versions.id, id) });
  }

  async headVersionRow(): Promise<VersionRow | undefined> {
    return this.db.query.versions.findFirst({ orderBy: desc(versions.id) });
  }

  /**
   * A version row (the head when `version` is undefined) and the dataset's meta at that
   * version, in one round trip (one batch: the two reads see the same state).
   */
  async versionWithMeta(version?: number): Promise<VersionWithMeta | null> {
    return runRead(this.db, this.versionWithMetaRead(version));
  }

  versionWithMetaRead(version?: number): BatchRead<VersionWithMeta | null> {
    return {
      queries: [
        version === undefined
          ? this.db.select().from(versions).orderBy(desc(versions.id)).limit(1)
          : this.db.select().from(versions).where(eq(versions.id, version)).limit(1),
        this.db
          .select()
          .from(datasetMeta)
          .where(version === undefined ? isNull(datasetMeta.validTo) : validAt(datasetMeta, version))
          .limit(1),
      ],
      decode: (results) => {
        const [rows, metas] = results as [VersionRow[], (typeof datasetMeta.$inferSelect)[]];
        const row = rows[0];
        if (!row) return null;
        return { row, meta: toMeta(metas) };
      },
    };
  }

  async meta(version: number): Promise<StoredMeta | null> {
    const row = await this.db.query.datasetMeta.findFirst({ where: validAt(datasetMeta, version) });
    return toMeta(row ? [row] : []);
  }

  /** The authority valid at `version` with its periods, or null. */
  async authority(id: string, version: number): Promise<StoredAuthority | null> {
    const [[a], ps] = await this.db.batch([
      this.db.select().from(authorities).where(and(eq(authorities.id, id), validAt(authorities, version))),
      this.db
        .select({ id: periods.id, position: periods.position, json: periods.json, hash: periods.hash })
        .from(periods)
        .where(and(eq(periods.authorityId, id), validAt(periods, version)))
        .orderBy(asc(periods.position)),
    ]);
    if (!a) return null;
    return { id: a.id, validFrom: a.validFrom, position: a.position, json: a.json, hash: a.hash, periods: new Map(ps.map((p) => [p.id, p])) };
  }

  /**
   * An authority or period and the dataset's meta at `version` (head when undefined), in
   * one round trip: the hot path of one-entity reads. Current rows are those not yet closed.
   */
  async entityWithMeta(kind: 'authority' | 'period', id: string, version?: number): Promise<EntityWithMeta> {
    return runRead(this.db, this.entityWithMetaRead(kind, id, version));
  }

  entityWithMetaRead(kind: 'authority' | 'period', id: string, version?: number): BatchRead<EntityWithMeta> {
    const metaAt = version === undefined ? isNull(datasetMeta.validTo) : validAt(datasetMeta, version);
    const metaQuery = this.db.select().from(datasetMeta).where(metaAt).limit(1);
    if (kind === 'period') {
      return {
        queries: [metaQuery, this.db.select().from(periods).where(and(eq(periods.id, id), version === undefined ? isNull(periods.validTo) : validAt(periods, version))).limit(1)],
        decode: (results) => {
          const [metaRows, rows] = results as [(typeof datasetMeta.$inferSelect)[], (typeof periods.$inferSelect)[]];
          const p = rows[0];
          return { meta: toMeta(metaRows), entity: p ? { id: p.id, position: p.position, json: p.json, hash: p.hash, authorityId: p.authorityId, validFrom: p.validFrom } : null };
        },
      };
    }
    return {
      queries: [
        metaQuery,
        this.db.select().from(authorities).where(and(eq(authorities.id, id), version === undefined ? isNull(authorities.validTo) : validAt(authorities, version))).limit(1),
        this.db
          .select({ id: periods.id, position: periods.position, json: periods.json, hash: periods.hash })
          .from(periods)
          .where(and(eq(periods.authorityId, id), version === undefined ? isNull(periods.validTo) : validAt(periods, version)))
          .orderBy(asc(periods.position)),
      ],
      decode: (results) => {
        const [metaRows, as, ps] = results as [(typeof datasetMeta.$inferSelect)[], (typeof authorities.$inferSelect)[], StoredPeriod[]];
        const a = as[0];
        return {
          meta: toMeta(metaRows),
          entity: a ? { id: a.id, validFrom: a.validFrom, position: a.position, json: a.json, hash: a.hash, periods: new Map(ps.map((p) => [p.id, p])) } : null,
        };
      },
    };
  }

  /**
   * An authority at the head for its JSON representations: where it sits in the head's
   * JSON document in R2 if it was located there (then its rows are not read), else its
   * rows as `entityWithMetaRead` gives them. One batch, so both see the same head.
   */
  authorityAtHeadRead(id: string): BatchRead<AuthorityAtHead> {
    const full = this.entityWithMetaRead('authority', id);
    const spanQuery = headSpanQuery(this.db, id);
    const unlocated = noHeadSpan(this.db, id);
    const [metaQuery] = full.queries;
    return {
      queries: [
        metaQuery,
        spanQuery,
        this.db.select().from(authorities).where(and(eq(authorities.id, id), isNull(authorities.validTo), unlocated)).limit(1),
        this.db
          .select({ id: periods.id, position: periods.position, json: periods.json, hash: periods.hash })
          .from(periods)
          .where(and(eq(periods.authorityId, id), isNull(periods.validTo), unlocated))
          .orderBy(asc(periods.position)),
      ],
      decode: (results) => {
        const [metaRows, spans, ...rest] = results as [unknown[], DocumentSpanRow[], ...unknown[]];
        const span = spans[0];
        if (span) return { meta: toMeta(metaRows as (typeof datasetMeta.$inferSelect)[]), span, entity: null };
        return { ...full.decode([metaRows, ...rest]), span: null };
      },
    };
  }

  /** Several authorities valid at `version`, with their periods. */
  async authorities(ids: string[], version: number): Promise<Map<string, StoredAuthority>> {
    const out = new Map<string, StoredAuthority>();
    for (const group of chunk(ids, MAX_PARAMS - 10)) {
      const [as, ps] = await this.db.batch([
        this.db.select().from(authorities).where(and(inArray(authorities.id, group), validAt(authorities, version))),
        this.db
          .select({ id: periods.id, authorityId: periods.authorityId, position: periods.position, json: periods.json, hash: periods.hash })
          .from(periods)
          .where(and(inArray(periods.authorityId, group), validAt(periods, version)))
          .orderBy(asc(periods.authorityId), asc(periods.position)),
      ]);
      for (const a of as) out.set(a.id, { id: a.id, validFrom: a.validFrom, position: a.position, json: a.json, hash: a.hash, periods: new Map() });
      for (const p of ps) out.get(p.authorityId)?.periods.set(p.id, { id: p.id, position: p.position, json: p.json, hash: p.hash });
    }
    return out;
  }

  async allAuthorityIds(version: number): Promise<string[]> {
    const rows = await this.db.select({ id: authorities.id }).from(authorities).where(validAt(authorities, version));
    return rows.map((r) => r.id);
  }

  /** The period valid at `version`, with the id of its authority, or null. */
  async period(id: string, version: number): Promise<(StoredPeriod & { authorityId: string; validFrom: number }) | null> {
    const row = await this.db.query.periods.findFirst({ where: and(eq(periods.id, id), validAt(periods, version)) });
    return row ? { id: row.id, position: row.position, json: row.json, hash: row.hash, authorityId: row.authorityId, validFrom: row.validFrom } : null;
  }

  /**
   * The version at or before `version` in which an entity was last created or updated
   * (its row valid then, or the last row before it was removed), or null if none.
   */
  async lastUpdate(kind: 'authority' | 'period', id: string, version: number): Promise<number | null> {
    const table = kind === 'authority' ? authorities : periods;
    const [row] = await this.db
      .select({ v: max(table.validFrom) })
      .from(table)
      .where(and(eq(table.id, id), lte(table.validFrom, version)));
    return row?.v ?? null;
  }

  /** Current owners of the given period ids (for checks that a period id is not taken). */
  async currentPeriodOwners(ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const group of chunk(ids, MAX_PARAMS - 5)) {
      const rows = await this.db
        .select({ id: periods.id, authorityId: periods.authorityId })
        .from(periods)
        .where(and(inArray(periods.id, group), isNull(periods.validTo)));
      for (const r of rows) out.set(r.id, r.authorityId);
    }
    return out;
  }

  /** The first version an identifier was used in, if it ever was. */
  async identifier(id: string): Promise<{ kind: string; firstVersion: number } | undefined> {
    return this.db.query.identifiers.findFirst({ where: eq(identifiers.id, id) });
  }

  /** The head as the merge engine plans against it (figures from the version row). */
  async headState(): Promise<HeadState> {
    const row = await this.headVersionRow();
    if (!row) throw new Error('The versions table has no version 0: apply the D1 migrations first.');
    const stats = JSON.parse(row.stats) as { linkCounts: HeadState['linkCounts'] };
    return {
      version: row.id,
      meta: await this.meta(row.id),
      authorityCount: row.authorityCount,
      periodCount: row.periodCount,
      linkCounts: stats.linkCounts,
      contentHash: row.contentHash,
      nextPosition: row.nextPosition,
    };
  }

  /**
   * Which of `ids` are or ever were an entity's identifier (removed entities included): one
   * round trip, the ids bound as JSON arrays whatever their number.
   */
  async usedIdentifiers(ids: string[]): Promise<Set<string>> {
    const used = new Set<string>();
    if (ids.length === 0) return used;
    const d1 = this.db.$client;
    const results = await d1.batch<{ id: string }>(
      bulkParams(ids).map((param) => d1.prepare('SELECT id FROM identifiers WHERE id IN (SELECT value FROM json_each(?1))').bind(param)),
    );
    for (const { results: rows } of results) for (const r of rows) used.add(r.id);
    return used;
  }

  /**
   * Every authority valid at `version` in id order, each with its periods in id order,
   * read in pages so memory stays bounded whatever the dataset's size.
   */
  async *authoritiesAt(version: number, pageSize = 2000): AsyncGenerator<StoredAuthority> {
    let afterPosition = -1;
    let periodCursor = { authorityPosition: -1, position: -1 };
    let periodPage: { id: string; authorityPosition: number; position: number; json: string; hash: string }[] = [];
    let periodIndex = 0;
    let periodsDone = false;

    const nextPeriods = async () => {
      periodPage = await this.db
        .select({ id: periods.id, authorityPosition: periods.authorityPosition, position: periods.position, json: periods.json, hash: periods.hash })
        .from(periods)
        .where(
          and(
            validAt(periods, version),
            sql`(${periods.authorityPosition}, ${periods.position}) > (${periodCursor.authorityPosition}, ${periodCursor.position})`,
          ),
        )
        .orderBy(asc(periods.authorityPosition), asc(periods.position))
        .limit(pageSize);
      periodIndex = 0;
      if (periodPage.length < pageSize) periodsDone = true;
      const last = periodPage[periodPage.length - 1];
      if (last) periodCursor = { authorityPosition: last.authorityPosition, position: last.position };
    };

    for (;;) {
      const page = await this.db
        .select()
        .from(authorities)
        .where(and(validAt(authorities, version), gt(authorities.position, afterPosition)))
        .orderBy(asc(authorities.position))
        .limit(Math.max(50, Math.floor(pageSize / 10)));
      if (page.length === 0) return;
      for (const a of page) {
        const stored: StoredAuthority = { id: a.id, validFrom: a.validFrom, position: a.position, json: a.json, hash: a.hash, periods: new Map() };
        for (;;) {
          if (periodIndex >= periodPage.length) {
            if (periodsDone && periodIndex >= periodPage.length) break;
            await nextPeriods();
            if (periodPage.length === 0) break;
          }
          const p = periodPage[periodIndex];
          if (p.authorityPosition < a.position) {
            periodIndex++;
            continue;
          }
          if (p.authorityPosition > a.position) break;
          stored.periods.set(p.id, { id: p.id, position: p.position, json: p.json, hash: p.hash });
          periodIndex++;
        }
        yield stored;
      }
      afterPosition = page[page.length - 1].position;
    }
  }

  readBlob(blobId: string): Promise<string | null> {
    return readBlobText(this.db, blobId);
  }
}
