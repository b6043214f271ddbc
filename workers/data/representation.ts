/**
 * What the data API adds to stored JSON when it serves it: the abbreviated context
 * (`[<host>/c?version=N, {"@base": …}]`), `primaryTopicOf`, and links to the web client.
 * Both CANONICAL modes of the reference are supported.
 */
import type { Env } from '../env';

export interface Served {
  url: URL;
  /** `http(s)://host[:port]` of the request: absolute URLs are built from it. */
  origin: string;
  canonical: boolean;
  clientUrl: string;
}

export function served(request: Request, env: Env): Served {
  const url = new URL(request.url);
  return { url, origin: url.origin, canonical: env.CANONICAL === 'true', clientUrl: env.CLIENT_URL };
}

export type JsonObject = Record<string, unknown>;

/** The `@context` value served for a stored context, or the stored context unchanged. */
export function servedContext(s: Served, context: unknown, options: { version?: string | number; inline: boolean }): unknown {
  if (!context || typeof context !== 'object' || Array.isArray(context)) return context;
  const base = (context as JsonObject)['@base'];
  if (typeof base !== 'string') return context;
  if (options.inline) return context;
  const contextUrl = s.canonical ? `${base}p0c` : `${s.origin}/c`;
  return [options.version === undefined ? contextUrl : `${contextUrl}?version=${options.version}`, { '@base': base }];
}

export function primaryTopicOf(s: Served): JsonObject {
  if (s.canonical) {
    const fullPath = `${s.url.pathname}${s.url.search}`;
    return { id: `p0${fullPath.slice(1)}`, inDataset: { id: 'p0d', changes: 'p0h#changes' } };
  }
  return { id: s.url.toString(), inDataset: { id: `${s.origin}/d`, changes: `${s.origin}/h#changes` } };
}

/** A page of the web client, e.g. `?page=authority-view&backendID=web-<data URL>&authorityID=…`. */
export function clientPage(s: Served, params: Record<string, string>): string {
  const query = new URLSearchParams({ page: params.page, backendID: `web-${s.origin}/` });
  for (const [k, v] of Object.entries(params)) if (k !== 'page') query.set(k, v);
  return `${s.clientUrl.replace(/\/+$/, '')}/?${query.toString()}`;
}
