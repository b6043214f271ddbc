/**
 * The data API's documented limits on what a request may send (docs/limits.md). Bodies
 * over a limit are refused with 413 before they are read to the end.
 */

/** A submitted or updated patch (`PATCH /d/`, `PUT /patches/N/patch.jsonpatch`). */
export const MAX_PATCH_BYTES = 10 * 1024 * 1024;

/** A comment request body (`POST /patches/N/messages`, `{"message": …}`). */
export const MAX_COMMENT_BYTES = 64 * 1024;

/** A bag or graph document: it travels to the single writer in one call and one D1 batch. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/** A patch loaded by the operator CLI (`load-data` sends groups of at most 20 MB). */
export const MAX_LOAD_BYTES = 24 * 1024 * 1024;

/** Small JSON bodies of the admin endpoints (users, permissions, purge lists). */
export const MAX_ADMIN_JSON_BYTES = 1024 * 1024;

/** Nesting depth of a comment body; `{"message": …}` needs one level. */
export const MAX_COMMENT_DEPTH = 16;

export { MAX_PATCH_DEPTH } from '../domain/json-limits';
export { MAX_DEPTH as MAX_DOCUMENT_DEPTH } from '../domain/ordered-json';
export { MAX_ENTITY_BYTES } from '../domain/merge';
