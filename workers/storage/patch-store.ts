/** Reading patch requests and their comments. */
import { and, asc, between, eq, gt, sql } from 'drizzle-orm';
import type { Activity, ActivityKind, HistoryComment, MergedChange } from '../domain/provenance';
import type { Db } from './db';
import { patchRequestComments, patchRequests } from './schema';

/** The operator's loads are merged as this user; it is no person, so never a contributor. */
export const INITIAL_DATA_LOADER = 'initial-data-loader';

/** Users whose merged patches count as contributions (the initial load, patch 1, does not). */
export async function contributorsOfMergedPatches(db: Db): Promise<string[]> {
  const rows = await db
    .selectDistinct({ createdBy: patchRequests.createdBy, updatedBy: patchRequests.updatedBy })
    .from(patchRequests)
    .where(and(eq(patchRequests.merged, true), gt(patchRequests.id, 1)));
  const out = new Set<string>();
  for (const r of rows) {
    out.add(r.createdBy);
    if (r.updatedBy) out.add(r.updatedBy);
  }
  out.delete(INITIAL_DATA_LOADER);
  return [...out];
}

// ---------------------------------------------------------------------------------------
// The history graph and the activity feed

/** Merged patch requests read per query (a few hundred bytes each without their entity lists). */
const HISTORY_PAGE = 500;
/** At most this many characters of entity-id lists (the `?full` graph) are read at once. */
const ENTITY_LIST_BUDGET = 1_000_000;

function idList(text: string | null | undefined): string[] {
  if (!text) return [];
  const value = JSON.parse(text) as unknown;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Every merged patch request in id order, with its comments (in the order they were
 * posted) and, when `full`, the ids of the entities it created, updated and removed.
 * Reads page by page, and the entity lists in slices of bounded size, so neither the
 * number of merges nor the size of a load's entity list is held in memory at once.
 */
export async function* mergedChanges(
  db: Db,
  options: { full: boolean; pageSize?: number; entityListBudget?: number },
): AsyncGenerator<MergedChange> {
  const pageSize = options.pageSize ?? HISTORY_PAGE;
  const budget = options.entityListBudget ?? ENTITY_LIST_BUDGET;
  let after = 0;
  for (;;) {
    const page = await db
      .select({
        id: patchRequests.id,
        createdAt: patchRequests.createdAt,
        mergedAt: patchRequests.mergedAt,
        createdBy: patchRequests.createdBy,
        updatedBy: patchRequests.updatedBy,
        mergedBy: patchRequests.mergedBy,
        appliedTo: patchRequests.appliedToVersion,
        resultedIn: patchRequests.resultedInVersion,
        // Spelled out: drizzle writes bare column names here, and a bare "id" would be the comment's.
        commentCount: sql<number>`(SELECT COUNT(*) FROM patch_request_comments AS c WHERE c.patch_request_id = patch_requests.id)`,
        entityChars: sql<number>`length(${patchRequests.createdEntities}) + length(${patchRequests.updatedEntities}) + length(${patchRequests.removedEntities})`,
      })
      .from(patchRequests)
      .where(and(eq(patchRequests.merged, true), gt(patchRequests.id, after)))
      .orderBy(asc(patchRequests.id))
      .limit(pageSize);
    if (page.length === 0) return;
    after = page[page.length - 1].id;

    // Ranges of ids rather than lists of them: no bound-parameter limit to respect.
    const comments = new Map<number, HistoryComment[]>();
    const commented = page.filter((r) => r.commentCount > 0).map((r) => r.id);
    if (commented.length > 0) {
      const rows = await db
        .select({
          id: patchRequestComments.id,
          patchRequestId: patchRequestComments.patchRequestId,
          author: patchRequestComments.author,
          message: patchRequestComments.message,
          postedAt: patchRequestComments.postedAt,
        })
        .from(patchRequestComments)
        .where(between(patchRequestComments.patchRequestId, commented[0], commented[commented.length - 1]))
        .orderBy(asc(patchRequestComments.patchRequestId), asc(patchRequestComments.postedAt), asc(patchRequestComments.id));
      const wanted = new Set(commented);
      for (const { patchRequestId, ...c } of rows) {
        if (!wanted.has(patchRequestId)) continue;
        const list = comments.get(patchRequestId) ?? [];
        list.push(c);
        comments.set(patchRequestId, list);
      }
    }

    // Consecutive rows whose entity lists together fit the budget (a larger one alone);
    // without `full` the lists are not read and the page is one slice.
    const slices: (typeof page)[] = [];
    let chars = Infinity;
    for (const row of page) {
      if (options.full ? chars + row.entityChars > budget : slices.length === 0) {
        slices.push([]);
        chars = 0;
      }
      slices[slices.length - 1].push(row);
      chars += row.entityChars;
    }
    for (const slice of slices) {
      const lists = new Map<number, { created: string | null; updated: string | null; removed: string | null }>();
      if (options.full) {
        const rows = await db
          .select({
            id: patchRequests.id,
            created: patchRequests.createdEntities,
            updated: patchRequests.updatedEntities,
            removed: patchRequests.removedEntities,
          })
          .from(patchRequests)
          .where(and(eq(patchRequests.merged, true), between(patchRequests.id, slice[0].id, slice[slice.length - 1].id)));
        for (const r of rows) lists.set(r.id, r);
      }
      for (const row of slice) {
        const l = lists.get(row.id);
        yield {
          id: row.id,
          createdAt: row.createdAt,
          mergedAt: row.mergedAt,
          createdBy: row.createdBy,
          updatedBy: row.updatedBy,
          mergedBy: row.mergedBy,
          appliedTo: row.appliedTo,
          resultedIn: row.resultedIn,
          created: idList(l?.created),
          updated: idList(l?.updated),
          removed: idList(l?.removed),
          comments: comments.get(row.id) ?? [],
        };
        lists.delete(row.id);
      }
    }
  }
}

interface ActivityRow {
  kind: ActivityKind;
  patch_request_id: number;
  at: string;
  who: string | null;
  who_name: string | null;
  submitter: string;
  submitter_name: string | null;
  comment_id: number | null;
  message: string | null;
}

/**
 * The most recent activities on patch requests, newest first: submissions, updates (an
 * `updated_at` later than `created_at` and, once closed, earlier than the closing, which
 * also stamps `updated_at`), merges and rejections (`merged_at` of a closed request), and
 * comments, with the names of the users involved where they are known. An operator's
 * load (submitted and merged at once by the initial data loader) was never open for
 * review: only its merge is an activity. Ties sort a request's later steps first.
 */
export async function recentActivity(db: Db, limit = 32): Promise<Activity[]> {
  const rows = await db.all<ActivityRow>(sql`
    WITH activity (kind, step, patch_request_id, at, who, comment_id, message) AS (
      SELECT 'submitted', 0, id, created_at, created_by, NULL, NULL
        FROM patch_requests
        WHERE created_by <> ${INITIAL_DATA_LOADER}
      UNION ALL
      SELECT 'updated', 1, id, updated_at, updated_by, NULL, NULL
        FROM patch_requests
        WHERE updated_at > created_at AND (merged_at IS NULL OR updated_at < merged_at)
      UNION ALL
      SELECT 'commented on', 2, patch_request_id, posted_at, author, id, message
        FROM patch_request_comments
      UNION ALL
      SELECT CASE WHEN merged = 1 THEN 'merged' ELSE 'rejected' END, 3, id, merged_at, merged_by, NULL, NULL
        FROM patch_requests
        WHERE open = 0 AND merged_at IS NOT NULL
    ),
    recent AS (
      SELECT * FROM activity
      ORDER BY at DESC, patch_request_id DESC, step DESC, comment_id DESC
      LIMIT ${limit}
    )
    SELECT recent.kind, recent.patch_request_id, recent.at, recent.who, who_user.name AS who_name,
           p.created_by AS submitter, submitter_user.name AS submitter_name,
           recent.comment_id, recent.message
    FROM recent
    JOIN patch_requests AS p ON p.id = recent.patch_request_id
    LEFT JOIN users AS who_user ON who_user.id = recent.who
    LEFT JOIN users AS submitter_user ON submitter_user.id = p.created_by
    ORDER BY recent.at DESC, recent.patch_request_id DESC, recent.step DESC, recent.comment_id DESC
  `);
  return rows.map((r) => ({
    kind: r.kind,
    patchRequestId: r.patch_request_id,
    at: r.at,
    // A merge or rejection recorded without its editor is credited to the submitter.
    who: r.who ?? r.submitter,
    whoName: r.who === null ? r.submitter_name : r.who_name,
    submitter: r.submitter,
    submitterName: r.submitter_name,
    commentId: r.comment_id,
    message: r.message,
  }));
}
