/**
 * The D1 schema (drizzle-orm). `npm run db:generate` turns it into SQL files in migrations/.
 *
 * The dataset is versioned at entity granularity: a row of `authorities`, `periods` or
 * `dataset_meta` holds one entity's JSON from version `valid_from` until just before
 * `valid_to` (NULL: still current). A merge closes the rows it replaces and inserts the
 * new ones, so it writes only what changed, yet the rows valid at N rebuild version N.
 * No value here may exceed D1's 2 MB: large documents (patch bodies, graphs) are split
 * into `blob_chunks`.
 */

import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** One row per dataset version; a trigger (0001 migration) keeps the ids gapless and linear. */
export const versions = sqliteTable('versions', {
  id: integer('id').primaryKey(),
  createdAt: text('created_at').notNull(),
  patchRequestId: integer('patch_request_id'),
  /** Version at which the context (dataset_meta) current at this version was written. */
  metaVersion: integer('meta_version'),
  /** Next free ordering position: entities keep the order in which they were added. */
  nextPosition: integer('next_position').notNull(),
  authorityCount: integer('authority_count').notNull(),
  periodCount: integer('period_count').notNull(),
  /** Incrementally maintained figures for the VoID description (linksets, contributors…). */
  stats: text('stats').notNull(),
  /** Sum mod 2^256 of SHA-256(kind:id:entity-hash) over every entity valid at this version. */
  contentHash: text('content_hash').notNull(),
  /** The VoID description of this version in Turtle, computed once at merge time. */
  voidTurtle: text('void_turtle').notNull(),
});

/** Top-level dataset document minus its authorities: `@context`, `id`, `type`, … */
export const datasetMeta = sqliteTable(
  'dataset_meta',
  {
    validFrom: integer('valid_from').notNull(),
    validTo: integer('valid_to'),
    json: text('json').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.validFrom] })],
);

/**
 * An authority without its periods (its `periods` member is stored as `{}` to keep the
 * member order). A new row is written whenever the authority or any of its periods
 * changes, so `valid_from` is the version of the authority's last update.
 */
export const authorities = sqliteTable(
  'authorities',
  {
    id: text('id').notNull(),
    validFrom: integer('valid_from').notNull(),
    validTo: integer('valid_to'),
    /** Order of the authority in the dataset (insertion order, as JSON objects keep it). */
    position: integer('position').notNull(),
    json: text('json').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.validFrom] }),
    index('authorities_by_position').on(t.position),
    index('authorities_current').on(t.validTo),
  ],
);

export const periods = sqliteTable(
  'periods',
  {
    id: text('id').notNull(),
    authorityId: text('authority_id').notNull(),
    validFrom: integer('valid_from').notNull(),
    validTo: integer('valid_to'),
    /** The owning authority's position, so a whole version streams in one ordered scan. */
    authorityPosition: integer('authority_position').notNull(),
    position: integer('position').notNull(),
    json: text('json').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.id, t.validFrom] }),
    index('periods_by_authority').on(t.authorityId, t.position),
    index('periods_in_order').on(t.authorityPosition, t.position),
    index('periods_current').on(t.validTo),
  ],
);

/** Every identifier ever assigned, removed ones included, so none is ever minted twice. */
export const identifiers = sqliteTable('identifiers', {
  id: text('id').primaryKey(),
  kind: text('kind', { enum: ['authority', 'period'] }).notNull(),
  firstVersion: integer('first_version').notNull(),
});

/** Large documents split into pieces well under D1's 2 MB value limit. */
export const blobChunks = sqliteTable(
  'blob_chunks',
  {
    blobId: text('blob_id').notNull(),
    seq: integer('seq').notNull(),
    data: text('data').notNull(),
    /**
     * NULL: the chunks' data joined is the text. 'gzip+base64': it is the text gzip-compressed
     * and base64-encoded (large submitted patches, storage/blob-text.ts).
     */
    encoding: text('encoding'),
  },
  (t) => [primaryKey({ columns: [t.blobId, t.seq] })],
);

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(), // https://orcid.org/<ORCID>
    name: text('name').notNull(),
    permissions: text('permissions').notNull(), // JSON array
    /** SHA-256 (hex) of the ORCID access token; the token itself is never stored. */
    tokenHash: text('token_hash'),
    tokenExpiresAt: integer('token_expires_at'), // unix seconds
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [uniqueIndex('users_token_hash').on(t.tokenHash)],
);

export const patchRequests = sqliteTable(
  'patch_requests',
  {
    id: integer('id').primaryKey(),
    createdBy: text('created_by').notNull(),
    updatedBy: text('updated_by').notNull(),
    mergedBy: text('merged_by'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
    mergedAt: text('merged_at'),
    open: integer('open', { mode: 'boolean' }).notNull(),
    /** The head version when the patch was submitted (or last updated). */
    createdFromVersion: integer('created_from_version').notNull().default(0),
    merged: integer('merged', { mode: 'boolean' }).notNull(),
    appliedToVersion: integer('applied_to_version'),
    resultedInVersion: integer('resulted_in_version'),
    /** blob_chunks ids of the submitted and (once merged) the applied patch. */
    originalPatchBlob: text('original_patch_blob').notNull(),
    appliedPatchBlob: text('applied_patch_blob'),
    /** JSON arrays of entity ids, computed at submission and fixed at merge. */
    createdEntities: text('created_entities').notNull().default('[]'),
    updatedEntities: text('updated_entities').notNull().default('[]'),
    removedEntities: text('removed_entities').notNull().default('[]'),
    identifierMap: text('identifier_map'),
  },
  (t) => [index('patch_requests_open').on(t.open, t.id)],
);

export const patchRequestComments = sqliteTable(
  'patch_request_comments',
  {
    id: integer('id').primaryKey(),
    patchRequestId: integer('patch_request_id').notNull(),
    author: text('author').notNull(),
    message: text('message').notNull(),
    postedAt: text('posted_at').notNull(),
  },
  (t) => [index('comments_by_patch').on(t.patchRequestId, t.id)],
);

/** skolem IRI → permanent id, one row per identifier a merge assigned. */
export const identifierMap = sqliteTable(
  'identifier_map',
  {
    skolemId: text('skolem_id').notNull(),
    permanentId: text('permanent_id').notNull(),
    version: integer('version').notNull(),
    patchRequestId: integer('patch_request_id'),
  },
  (t) => [primaryKey({ columns: [t.skolemId, t.version] }), index('identifier_map_permanent').on(t.permanentId)],
);

export const bags = sqliteTable(
  'bags',
  {
    uuid: text('uuid').notNull(),
    version: integer('version').notNull(),
    owners: text('owners').notNull(), // JSON array of user ids
    createdBy: text('created_by').notNull(),
    createdAt: text('created_at').notNull(),
    blob: text('blob').notNull(),
  },
  (t) => [primaryKey({ columns: [t.uuid, t.version] })],
);

export const graphs = sqliteTable(
  'graphs',
  {
    id: text('id').notNull(), // the path below /graphs/
    version: integer('version').notNull(),
    deleted: integer('deleted', { mode: 'boolean' }).notNull().default(false),
    createdBy: text('created_by').notNull(),
    createdAt: text('created_at').notNull(),
    blob: text('blob'),
  },
  (t) => [primaryKey({ columns: [t.id, t.version] })],
);

/** Browser-bound single-use states of ORCID sign-ins in progress. */
export const authStates = sqliteTable('auth_states', {
  state: text('state').primaryKey(),
  cookieHash: text('cookie_hash').notNull(),
  params: text('params').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

/**
 * Turtle / N-Triples / CSV exports of whole dataset versions, and the JSON authorities map
 * `/d.json` is served from (R2 `exports/v<N>/…`): one row
 * per version and format once a job was asked for, so that requests and merges enqueue a
 * job once (a stale `queued` or `running` job, or a `failed` one after a pause, is queued
 * again) and operators see attempts, failures and sizes.
 */
export const exportJobs = sqliteTable(
  'export_jobs',
  {
    version: integer('version').notNull(),
    format: text('format', { enum: ['json', 'search-index', 'ttl', 'nt', 'csv'] }).notNull(),
    state: text('state', { enum: ['queued', 'running', 'done', 'failed'] }).notNull(),
    /** Messages sent for this job. */
    enqueued: integer('enqueued').notNull(),
    /** Delivery attempts the consumer made. */
    attempts: integer('attempts').notNull(),
    updatedAt: text('updated_at').notNull(),
    error: text('error'),
    bytes: integer('bytes'),
    durationMs: integer('duration_ms'),
  },
  (t) => [primaryKey({ columns: [t.version, t.format] })],
);

/**
 * Where a large authority's text sits in the head version's JSON document in R2
 * (`exports/v<N>/authorities.json`, part `part`): written by that document's export job,
 * so a cold read of the authority is one ranged R2 read instead of hundreds of period rows
 * (docs/dataset-reads.md). Derived and disposable: only the newest exported version's rows
 * are kept, and an authority without a row is read from D1.
 */
export const documentSpans = sqliteTable(
  'document_spans',
  {
    version: integer('version').notNull(),
    authorityId: text('authority_id').notNull(),
    /** 1 for the object at the export's key, n for `<key>.part-<n>`. */
    part: integer('part').notNull(),
    /** Byte offset of the authority's text (`{` … `}`) within that part. */
    offset: integer('offset').notNull(),
    length: integer('length').notNull(),
  },
  (t) => [primaryKey({ columns: [t.authorityId, t.version] })],
);
