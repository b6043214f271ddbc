/**
 * The CORS proxy's rules, free of HTTP plumbing: which callers (origins) may use it and
 * which upstream URLs it may reach. Everything here is pure and synchronous so that the
 * rules can be read, reasoned about and tested on their own.
 *
 * The upstream rules are an allow-list applied to a URL this module parses itself, strictly,
 * from the raw request path, and then re-checked on the URL the platform would actually
 * fetch — so a parser difference can only ever lead to a refusal, never to a request to a
 * host outside the list.
 */

/** Request bodies larger than this are refused with 413 (the nginx proxy's `75M`). */
export const MAX_REQUEST_BODY_BYTES = 75 * 1024 * 1024;

/** Time to wait for the upstream's response headers when CORS_PROXY_TIMEOUT_MS is unset. */
export const DEFAULT_UPSTREAM_TIMEOUT_MS = 30_000;

/** Methods the proxy forwards; OPTIONS is answered by the proxy itself (preflight). */
export const PROXIED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** One entry of the origin allow-list, e.g. `https://*.perio.do` or `http://localhost:*`. */
export interface OriginRule {
  scheme: 'http' | 'https';
  /** Lower-case host name (or IP literal as written in an origin). */
  host: string;
  /** `*.host`: any subdomain of `host` (not `host` itself). */
  subdomains: boolean;
  /** `null`: the scheme's default port only; `'*'`: any port (or none); else that port. */
  port: string | null;
}

export interface ProxyPolicy {
  /** Allowed upstream domains: each allows itself and every subdomain. */
  upstreams: string[];
  origins: OriginRule[];
  timeoutMs: number;
  maxBodyBytes: number;
}

/** A policy configuration value that cannot be understood: the deployment is wrong. */
export class PolicyConfigError extends Error {}

export type Verdict<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Verdict<T> => ({ ok: true, value });
const refuse = <T>(message: string): Verdict<T> => ({ ok: false, message });

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A DNS name of letter-digit-hyphen labels (IDNs in their xn-- form), no trailing dot. */
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * True when `host` is written as an IP address. WHATWG URL parsing (which the platform's
 * fetch uses) reads a host whose last label is a number — decimal, `0x` hex or octal — as an
 * IPv4 address (`2130706433`, `0x7f.1`, `0177.0.0.1` are all 127.0.0.1), and `[...]` as IPv6.
 */
export function isIpLiteral(host: string): boolean {
  if (host.startsWith('[') || host.includes(':')) return true;
  const labels = host.split('.');
  const last = labels[labels.length - 1] === '' ? labels[labels.length - 2] ?? '' : labels[labels.length - 1];
  return /^(?:\d+|0x[0-9a-f]*)$/i.test(last);
}

function parseUpstreamEntry(entry: string): string {
  const name = entry.toLowerCase().replace(/^\*\./, '');
  if (!DNS_NAME.test(name) || isIpLiteral(name) || !name.includes('.')) {
    throw new PolicyConfigError(`CORS_PROXY_UPSTREAMS: "${entry}" is not a domain name such as crossref.org.`);
  }
  return name;
}

function parseOriginEntry(entry: string): OriginRule {
  const m = /^(https?):\/\/(\*\.)?([a-z0-9.-]+)(?::(\*|\d{1,5}))?$/i.exec(entry);
  if (!m) {
    throw new PolicyConfigError(
      `CORS_PROXY_ORIGINS: "${entry}" is not an origin such as https://perio.do, https://*.perio.do or http://localhost:*.`,
    );
  }
  const scheme = m[1].toLowerCase() as 'http' | 'https';
  const port = m[4] === undefined || m[4] === defaultPort(scheme) ? null : m[4];
  return { scheme, subdomains: Boolean(m[2]), host: m[3].toLowerCase(), port };
}

function defaultPort(scheme: string): string {
  return scheme === 'http' ? '80' : '443';
}

/** Reads the policy from the Worker's vars; throws PolicyConfigError on a malformed entry. */
export function policyFromEnv(env: {
  CORS_PROXY_UPSTREAMS?: string;
  CORS_PROXY_ORIGINS?: string;
  CORS_PROXY_TIMEOUT_MS?: string;
}): ProxyPolicy {
  const timeout = env.CORS_PROXY_TIMEOUT_MS === undefined || env.CORS_PROXY_TIMEOUT_MS === '' ? DEFAULT_UPSTREAM_TIMEOUT_MS : Number(env.CORS_PROXY_TIMEOUT_MS);
  if (!Number.isInteger(timeout) || timeout <= 0) {
    throw new PolicyConfigError(`CORS_PROXY_TIMEOUT_MS: "${env.CORS_PROXY_TIMEOUT_MS}" is not a positive number of milliseconds.`);
  }
  return {
    upstreams: list(env.CORS_PROXY_UPSTREAMS).map(parseUpstreamEntry),
    origins: list(env.CORS_PROXY_ORIGINS).map(parseOriginEntry),
    timeoutMs: timeout,
    maxBodyBytes: MAX_REQUEST_BODY_BYTES,
  };
}

/**
 * Checks the caller's `Origin` header against the allow-list. Browsers send it on every
 * cross-origin fetch; a request without one (or with the opaque `null`) is refused. The
 * returned value is the origin to echo in Access-Control-Allow-Origin.
 */
export function checkOrigin(origin: string | null, policy: ProxyPolicy): Verdict<string> {
  if (origin === null || origin === '') {
    return refuse('This CORS proxy only serves the PeriodO web client: the request has no Origin header.');
  }
  const m = /^(https?):\/\/([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/i.exec(origin);
  if (m) {
    const scheme = m[1].toLowerCase();
    const host = m[2].toLowerCase();
    const port = m[3] === undefined || m[3] === defaultPort(scheme) ? null : m[3];
    const allowed = policy.origins.some(
      (rule) =>
        rule.scheme === scheme &&
        (rule.subdomains ? host.endsWith(`.${rule.host}`) : host === rule.host) &&
        (rule.port === '*' || rule.port === port),
    );
    if (allowed) return ok(origin);
  }
  return refuse(`This CORS proxy only serves the PeriodO web client; origin ${JSON.stringify(origin)} is not allowed.`);
}

/** Is `host` one of the allowed upstream domains or a subdomain of one (label-exact)? */
export function isAllowedUpstreamHost(host: string, policy: ProxyPolicy): boolean {
  return policy.upstreams.some((domain) => host === domain || host.endsWith(`.${domain}`));
}

function allowedList(policy: ProxyPolicy): string {
  return policy.upstreams.join(', ');
}

/**
 * Parses and checks the upstream URL a request names, from the raw request target after the
 * proxy's own leading `/` (path plus query string, still percent-encoded), e.g.
 * `https://api.crossref.org/works/10.1000/xyz?mailto=x`.
 *
 * - The scheme is `http` or `https`, in any letter case.
 * - It is followed by `//`, or by a single `/`: some clients and intermediaries collapse
 *   `//` into `/` inside paths, so `https:/doi.org/x` is read as `https://doi.org/x` (and then
 *   checked exactly like it). Zero or three slashes are refused.
 * - The authority (up to the next `/`, `?` or `#`) must be a plain DNS name with an optional
 *   default port: no userinfo (`@`), no backslash, no percent-encoding (`%2F`, `%40`, …),
 *   no IP literal in any notation, no `localhost`, no trailing dot, no other port.
 * - The name must equal an allowed domain or end with `.` + an allowed domain.
 * - Path and query are passed on as they came, percent-encoding and `//` included.
 */
export function parseUpstream(rawTarget: string, policy: ProxyPolicy): Verdict<URL> {
  const m = /^([a-z][a-z0-9+.-]*):(\/{1,2})([^/?#]*)(.*)$/is.exec(rawTarget);
  if (!m) {
    return refuse(
      `Give the upstream as an absolute http(s) URL after the proxy's address, e.g. /https://api.crossref.org/works/10.1000/xyz. Allowed upstreams: ${allowedList(policy)} and their subdomains.`,
    );
  }
  const [, rawScheme, , authority, rest] = m;
  const scheme = rawScheme.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    return refuse(`Only http and https upstreams are proxied, not ${JSON.stringify(rawScheme)}.`);
  }
  if (authority.includes('@')) {
    return refuse('Upstream URLs with credentials (user@host) are not proxied.');
  }
  if (authority.includes('\\') || authority.includes('%')) {
    return refuse('The upstream host may not contain backslashes or percent-encoded characters.');
  }
  const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(authority);
  if (!hp || hp[1] === '') {
    return refuse('The upstream URL has no valid host name.');
  }
  const host = hp[1].toLowerCase();
  const port = hp[2] ?? '';
  if (isIpLiteral(host)) {
    return refuse('IP addresses are not proxied; name one of the allowed upstream domains.');
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return refuse('localhost is not proxied.');
  }
  if (port !== '' && port !== defaultPort(scheme)) {
    return refuse(`Only the default port of ${scheme} is proxied, not port ${port}.`);
  }
  if (!DNS_NAME.test(host)) {
    return refuse(`${JSON.stringify(host)} is not a valid upstream host name.`);
  }
  if (!isAllowedUpstreamHost(host, policy)) {
    return refuse(`Upstream host ${host} is not allowed. Allowed upstreams: ${allowedList(policy)} and their subdomains.`);
  }
  let url: URL;
  try {
    url = new URL(`${scheme}://${host}${rest}`);
  } catch {
    return refuse('The upstream URL is not a valid URL.');
  }
  // Defence in depth: what the platform will fetch must be exactly what was checked.
  if (url.hostname !== host || url.username !== '' || url.password !== '' || url.port !== '' || url.protocol !== `${scheme}:`) {
    return refuse('The upstream URL is ambiguous and is not proxied.');
  }
  url.hash = '';
  return ok(url);
}

/**
 * Where a redirect from the upstream should send the browser. `location` may be relative
 * (resolved against the upstream URL that answered). A target that passes the same checks as
 * a request becomes `<proxy origin>/<absolute target URL>`, so the browser comes back
 * through the proxy; any other target is refused (the proxy never sends a caller, or itself,
 * to a host outside the allow-list).
 */
export function rewriteRedirect(location: string, upstream: URL, proxyOrigin: string, policy: ProxyPolicy): Verdict<string> {
  let target: URL;
  try {
    target = new URL(location, upstream);
  } catch {
    return refuse(`The upstream answered with a redirect to an invalid URL.`);
  }
  const checked = parseUpstream(target.href.slice(0, target.href.length - target.hash.length), policy);
  if (!checked.ok) {
    return refuse(`The upstream redirected to ${target.protocol}//${target.host}, which this proxy does not serve: ${checked.message}`);
  }
  return ok(`${proxyOrigin}/${checked.value.href}${target.hash}`);
}
