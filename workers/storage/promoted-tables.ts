/**
 * The tables that make up an environment's dataset state and move with it between
 * environments (`periodo export` / `import`): not users, tokens or sign-in states, and not
 * export jobs, which the target derives again. Imported by the Worker and the CLI alike.
 */
export const PROMOTED_TABLES = [
  'versions',
  'dataset_meta',
  'authorities',
  'periods',
  'identifiers',
  'identifier_map',
  'blob_chunks',
  'patch_requests',
  'patch_request_comments',
  'bags',
  'graphs',
] as const;
