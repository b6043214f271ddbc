/**
 * Reading the data API's patch request lists: their statuses, versions, query paths and
 * `Link` headers (pure, so it is tested in Node).
 */
export type ProposalStatus = 'open' | 'merged' | 'rejected';

export function statusOf(p: { open: boolean; merged: boolean }): ProposalStatus {
  return p.open ? 'open' : p.merged ? 'merged' : 'rejected';
}

/** The version a proposal was made against (`…/dataset/?version=N`). */
export function versionOf(datasetUrl: string | null): number | null {
  if (!datasetUrl) return null;
  const v = new URL(datasetUrl).searchParams.get('version');
  return v && /^\d+$/.test(v) ? Number(v) : null;
}

/** `<url>; rel="next"` entries of a Link header. */
export function linkRels(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(/,(?=\s*<)/)) {
    const m = /<([^>]*)>\s*;\s*rel="?([^";]+)"?/.exec(part);
    if (m) out[m[2]] = m[1];
  }
  return out;
}

export function proposalsPath(status: ProposalStatus | 'all', limit = 25): string {
  const q = new URLSearchParams({ sort: 'created_at', order: 'desc', limit: String(limit) });
  if (status === 'open') q.set('open', 'true');
  if (status === 'merged') q.set('merged', 'true');
  if (status === 'rejected') {
    q.set('open', 'false');
    q.set('merged', 'false');
  }
  return `patches/?${q}`;
}
