/**
 * The header's navigation, pure so the client app's Worker writes the same header into a
 * page before the app's code arrives (workers/client/page-shell.ts) as the app then renders.
 */
export const NAV = [
  ['backend-home', 'Find periods'],
  ['backend-authorities', 'Authorities'],
  ['backend-history', 'History'],
  ['backend-patches', 'Changes'],
] as const;
