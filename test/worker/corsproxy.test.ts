import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { corsProxyApp } from '../../workers/corsproxy/app';
import { runHealthChecks } from '../../workers/health/checks';
import { countBytes, fakeUpstream, neverAnswers } from './support/fake-upstream';
import { workerFetch, workerFetchWith } from './support/worker';
import { envFor } from './support/wrangler-vars';

// The dev environment's proxy host (wrangler.toml [vars]: CORSPROXY_HOSTS).
const PROXY = 'http://corsproxy.localhost';
const CLIENT = 'http://client.localhost:8787';
const MiB = 1024 * 1024;

afterEach(() => {
  vi.restoreAllMocks();
});

/** A request to the proxy from the given origin (none when `null`). */
function proxied(path: string, origin: string | null = CLIENT, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (origin !== null) headers.set('Origin', origin);
  return workerFetch(`${PROXY}${path}`, { ...init, headers });
}

/** `work()`, failing with `message` if it has not settled within `seconds`. */
async function withinSeconds<T>(seconds: number, message: string, work: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([work(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), seconds * 1000)))]);
  } finally {
    clearTimeout(timer);
  }
}

async function expectJsonError(response: Response, status: number, message?: string | RegExp) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/json');
  const body = (await response.json()) as { code: number; message: string };
  expect(body.code).toBe(status);
  expect(typeof body.message).toBe('string');
  if (message !== undefined) expect(body.message).toMatch(message);
  return body;
}

describe('CORS proxy: proxying an allowed request', () => {
  it('fetches the upstream URL named in the path and returns its answer with CORS headers for the caller', async () => {
    const upstream = fakeUpstream(
      () =>
        new Response('{"status":"ok","message":{"DOI":"10.1000/xyz"}}', {
          status: 200,
          headers: { 'Content-Type': 'application/json', 'X-Rate-Limit-Limit': '50' },
        }),
    );
    const response = await proxied('/https://api.crossref.org/works/10.1000/xyz?mailto=periodo@example.org');

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', message: { DOI: '10.1000/xyz' } });
    expect(response.headers.get('access-control-allow-origin')).toBe(CLIENT);
    expect(response.headers.get('vary')).toBe('Origin');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-rate-limit-limit')).toBe('50');

    expect(upstream.calls).toBe(1);
    const sent = upstream.requests[0];
    expect(sent.url).toBe('https://api.crossref.org/works/10.1000/xyz?mailto=periodo@example.org');
    expect(sent.method).toBe('GET');
    expect(sent.redirect).toBe('manual');
  });

  it.each([
    ['/https://doi.org/10.1000/xyz', 'https://doi.org/10.1000/xyz'],
    ['/http://doi.org/10.1000/xyz', 'http://doi.org/10.1000/xyz'],
    ['/https://dx.doi.org/10.1000/xyz', 'https://dx.doi.org/10.1000/xyz'],
    ['/https://orcid.org/0000-0002-1825-0097', 'https://orcid.org/0000-0002-1825-0097'],
    ['/https://pub.orcid.org/v3.0/0000-0002-1825-0097/person', 'https://pub.orcid.org/v3.0/0000-0002-1825-0097/person'],
    ['/http://www.worldcat.org/oclc/56541456', 'http://www.worldcat.org/oclc/56541456'],
    ['/https://worldcat.org/oclc/56541456', 'https://worldcat.org/oclc/56541456'],
    ['/https://api.crossref.org/works?query=rome', 'https://api.crossref.org/works?query=rome'],
    ['/https://data.crossref.org/10.1000/xyz', 'https://data.crossref.org/10.1000/xyz'],
    // Upper-case schemes and hosts are the same URL.
    ['/HTTPS://API.CROSSREF.ORG/works/10.1000/XYZ', 'https://api.crossref.org/works/10.1000/XYZ'],
    ['/HtTp://DOI.org/10.1000/xyz', 'http://doi.org/10.1000/xyz'],
    // The scheme's default port, written out, is still the default port.
    ['/https://doi.org:443/10.1000/xyz', 'https://doi.org/10.1000/xyz'],
    ['/http://doi.org:80/10.1000/xyz', 'http://doi.org/10.1000/xyz'],
    // Percent-encoding in path and query reaches the upstream untouched (a DOI may hold "/").
    ['/https://api.crossref.org/works/10.1000%2Fxyz?query=caf%C3%A9+rome&rows=5', 'https://api.crossref.org/works/10.1000%2Fxyz?query=caf%C3%A9+rome&rows=5'],
    // "//" inside the upstream path is the upstream's business.
    ['/https://doi.org//10.1000/xyz', 'https://doi.org//10.1000/xyz'],
    // A collapsed "https:/host" (some clients and proxies merge slashes) means "https://host".
    ['/https:/api.crossref.org/works/10.1000/xyz', 'https://api.crossref.org/works/10.1000/xyz'],
  ])('proxies %s to %s', async (path, expected) => {
    const upstream = fakeUpstream();
    const response = await proxied(path);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('upstream body');
    expect(upstream.requests.map((r) => r.url)).toEqual([expected]);
  });

  it('passes the upstream status through (a 404 from the upstream is a 404, readable by the client)', async () => {
    fakeUpstream(() => new Response('Resource not found.', { status: 404, headers: { 'Content-Type': 'text/plain' } }));
    const response = await proxied('/https://api.crossref.org/works/10.9999/missing');
    expect(response.status).toBe(404);
    expect(response.headers.get('access-control-allow-origin')).toBe(CLIENT);
    expect(await response.text()).toBe('Resource not found.');
  });

  it('answers HEAD with the upstream headers and no body', async () => {
    const upstream = fakeUpstream(() => new Response(null, { status: 200, headers: { 'Content-Type': 'application/json' } }));
    const response = await proxied('/https://doi.org/10.1000/xyz', CLIENT, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(CLIENT);
    expect(await response.text()).toBe('');
    expect(upstream.requests[0].method).toBe('HEAD');
  });
});

describe('CORS proxy: who may call it (origins)', () => {
  it.each([
    'https://perio.do',
    'https://client.perio.do',
    'https://staging.perio.do',
    'https://client.staging.perio.do',
    'http://client.localhost:8787',
    'http://client.localhost:8788',
    'http://localhost:8787',
    'http://localhost:5173',
    'http://localhost',
    'http://127.0.0.1:8080',
  ])('serves origin %s and names it in Access-Control-Allow-Origin', async (origin) => {
    const upstream = fakeUpstream();
    const response = await proxied('/https://doi.org/10.1000/xyz', origin);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(response.headers.get('vary')).toContain('Origin');
    expect(upstream.calls).toBe(1);
  });

  it.each([
    ['no Origin header', null],
    ['the opaque origin', 'null'],
    ['another site', 'https://evil.example'],
    ['a look-alike domain', 'https://evilperio.do'],
    ['perio.do as a subdomain of another site', 'https://perio.do.evil.example'],
    ['plain http for perio.do', 'http://perio.do'],
    ['plain http for a perio.do subdomain', 'http://client.perio.do'],
    ['perio.do on another port', 'https://perio.do:8443'],
    ['localhost over https', 'https://localhost:8787'],
    ['localhost as a subdomain of another site', 'http://localhost.evil.example:8080'],
    ['127.0.0.1 as a subdomain of another site', 'http://127.0.0.1.evil.example'],
    ['an IPv6 loopback origin', 'http://[::1]:8080'],
    ['an origin with a path', 'https://perio.do/'],
    ['an origin with credentials', 'https://user@perio.do'],
    ['a file origin', 'file://'],
  ])('refuses %s with 403 and never contacts the upstream', async (_name, origin) => {
    const upstream = fakeUpstream();
    const response = await proxied('/https://doi.org/10.1000/xyz', origin);
    await expectJsonError(response, 403, /only serves the PeriodO web client/);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('vary')).toBe('Origin');
    expect(upstream.calls).toBe(0);
  });

  it('refuses a disallowed origin even for a preflight', async () => {
    const upstream = fakeUpstream();
    const response = await proxied('/https://doi.org/10.1000/xyz', 'https://evil.example', {
      method: 'OPTIONS',
      headers: { 'Access-Control-Request-Method': 'GET' },
    });
    await expectJsonError(response, 403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(upstream.calls).toBe(0);
  });
});

describe('CORS proxy: which upstreams it reaches', () => {
  it.each([
    ['a host outside the allow-list', '/https://example.com/'],
    ['an allowed name as the end of another label', '/https://evildoi.org/10.1000/xyz'],
    ['an allowed name as the end of another label (crossref)', '/https://notcrossref.org/works'],
    ['an allowed name followed by another domain', '/https://doi.org.evil.example/10.1000/xyz'],
    ['an allowed name in the path of another host', '/https://evil.example/doi.org'],
    ['an allowed name in the query of another host', '/https://evil.example?.doi.org'],
    ['an allowed name in the fragment of another host', '/https://evil.example#.doi.org'],
    ['userinfo naming an allowed host', '/https://doi.org@evil.example/'],
    ['credentials for an allowed host', '/https://user:secret@doi.org/10.1000/xyz'],
    ['an empty userinfo', '/https://@doi.org/10.1000/xyz'],
    ['a percent-encoded slash before userinfo', '/https://doi.org%2F@evil.example/'],
    ['a percent-encoded slash in the host', '/https://evil.example%2F.doi.org/'],
    ['a percent-encoded "#" in the host', '/https://evil.example%23.doi.org/'],
    ['a percent-encoded "@" in the host', '/https://evil.example%40doi.org/'],
    ['a percent-encoded backslash in the host', '/https://evil.example%5C.doi.org/'],
    ['percent-encoded slashes after the scheme', '/https:%2F%2Fdoi.org/10.1000/xyz'],
    ['a look-alike host in another script', '/https://dоi.org/10.1000/xyz'],
    ['backslashes for slashes, to another host', '/https:\\\\evil.example\\@doi.org/'],
    ['a backslash in the host', '/https://evil.example\\.doi.org/'],
    ['dot segments climbing out of the upstream', '/https://api.crossref.org/../../evil.example/'],
    ['another port', '/https://doi.org:8443/10.1000/xyz'],
    ["the other scheme's default port", '/http://doi.org:443/10.1000/xyz'],
    ['port 0', '/https://doi.org:0/'],
    ['an IPv4 literal', '/http://93.184.215.14/'],
    ['the cloud metadata address', '/http://169.254.169.254/latest/meta-data/'],
    ['loopback as a decimal number', '/http://2130706433/'],
    ['loopback in hex', '/http://0x7f000001/'],
    ['loopback in dotted hex', '/http://0x7f.0.0.1/'],
    ['loopback in octal', '/http://0177.0.0.1/'],
    ['loopback shortened', '/http://127.1/'],
    ['an IPv4 literal with a trailing dot', '/http://127.0.0.1./'],
    ['an IPv6 loopback literal', '/http://[::1]/'],
    ['an IPv4-mapped IPv6 literal', '/http://[::ffff:127.0.0.1]/'],
    ['an IPv6 literal with a port', '/https://[fd00::1]:443/'],
    ['localhost', '/http://localhost/'],
    ['localhost with a port', '/http://localhost:8787/index.json'],
    ['a localhost subdomain', '/http://data.localhost/'],
    ['the GCP metadata host', '/http://metadata.google.internal/computeMetadata/v1/'],
    ['an allowed name with a trailing dot', '/https://doi.org./10.1000/xyz'],
    ['an empty label', '/https://.doi.org/10.1000/xyz'],
    ['no host', '/https:///doi.org/10.1000/xyz'],
    ['three slashes', '/https:///evil.example/'],
    ['no slashes after the scheme', '/https:doi.org/10.1000/xyz'],
    ['an empty path', '/'],
    ['a path that is not a URL', '/favicon.ico'],
    ['a host without scheme', '/doi.org/10.1000/xyz'],
    ['a protocol-relative URL', '//doi.org/10.1000/xyz'],
    ['an extra leading slash', '//https://doi.org/10.1000/xyz'],
    ['ftp', '/ftp://doi.org/10.1000/xyz'],
    ['file', '/file:///etc/passwd'],
    ['gopher', '/gopher://doi.org:70/'],
    ['javascript', '/javascript:alert(1)'],
    ['data', '/data:text/html,<script>alert(1)</script>'],
    ['a scheme with a look-alike suffix', '/httpsx://doi.org/'],
  ])('refuses %s (%s) with 403, readable by the caller, and contacts nobody', async (_name, path) => {
    const upstream = fakeUpstream();
    const response = await proxied(path);
    await expectJsonError(response, 403);
    // The caller is allowed, so the refusal itself is readable by the web client.
    expect(response.headers.get('access-control-allow-origin')).toBe(CLIENT);
    expect(upstream.hosts).toEqual([]);
  });

  it('names the allowed upstreams when refusing a host', async () => {
    fakeUpstream();
    const response = await proxied('/https://example.com/');
    await expectJsonError(response, 403, /example\.com is not allowed.*worldcat\.org, orcid\.org, doi\.org, crossref\.org/);
  });

  it('says why it refuses credentials, ports, IP addresses and other schemes', async () => {
    fakeUpstream();
    await expectJsonError(await proxied('/https://user:pw@doi.org/'), 403, /credentials/);
    await expectJsonError(await proxied('/https://doi.org:8443/'), 403, /port 8443/);
    await expectJsonError(await proxied('/http://169.254.169.254/'), 403, /IP addresses/);
    await expectJsonError(await proxied('/http://localhost:8787/'), 403, /localhost/);
    await expectJsonError(await proxied('/ftp://doi.org/'), 403, /Only http and https/);
    await expectJsonError(await proxied('/'), 403, /absolute http\(s\) URL/);
  });
});

describe('CORS proxy: preflight', () => {
  it('answers OPTIONS itself: 204 with the caller origin, methods, approved headers and a max age', async () => {
    const upstream = fakeUpstream();
    const response = await proxied('/https://api.crossref.org/works/10.1000/xyz', CLIENT, {
      method: 'OPTIONS',
      headers: {
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, x-requested-with, authorization, cookie',
      },
    });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(response.headers.get('access-control-allow-origin')).toBe(CLIENT);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST, PUT, PATCH, DELETE');
    // Credentials are never forwarded, so the preflight does not approve them.
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type, x-requested-with');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('access-control-max-age')).toBe('7200');
    expect(response.headers.get('vary')).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    expect(upstream.calls).toBe(0);
  });

  it('refuses a preflight for an upstream outside the allow-list', async () => {
    const upstream = fakeUpstream();
    const response = await proxied('/https://evildoi.org/', CLIENT, {
      method: 'OPTIONS',
      headers: { 'Access-Control-Request-Method': 'GET' },
    });
    await expectJsonError(response, 403, /evildoi\.org is not allowed/);
    expect(upstream.calls).toBe(0);
  });

  it('refuses methods it does not forward with 405 and an Allow header', async () => {
    const upstream = fakeUpstream();
    const response = await proxied('/https://doi.org/10.1000/xyz', CLIENT, { method: 'PROPFIND' });
    await expectJsonError(response, 405, /PROPFIND/);
    expect(response.headers.get('allow')).toBe('GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
    expect(response.headers.get('access-control-allow-origin')).toBe(CLIENT);
    expect(upstream.calls).toBe(0);
  });
});

describe('CORS proxy: header rewriting', () => {
  it('sends the upstream its own Host and none of the caller’s cookies, credentials, origin or address', async () => {
    const upstream = fakeUpstream();
    await proxied('/https://api.crossref.org/works/10.1000/xyz', CLIENT, {
      headers: {
        Accept: 'application/vnd.citationstyles.csl+json',
        'Accept-Language': 'en',
        'User-Agent': 'PeriodO client test',
        Cookie: 'session=secret',
        Authorization: 'Bearer cGVyaW9kby10b2tlbg==',
        'Proxy-Authorization': 'Basic Zm9vOmJhcg==',
        'X-Forwarded-For': '203.0.113.7',
        'X-Real-IP': '203.0.113.7',
        'CF-Connecting-IP': '203.0.113.7',
        'Keep-Alive': 'timeout=5',
        TE: 'trailers',
      },
    });
    const sent = upstream.requests[0];
    expect(sent.headers.get('host')).toBe('api.crossref.org');
    expect(sent.headers.get('accept')).toBe('application/vnd.citationstyles.csl+json');
    expect(sent.headers.get('accept-language')).toBe('en');
    expect(sent.headers.get('user-agent')).toBe('PeriodO client test');
    for (const name of [
      'cookie',
      'authorization',
      'proxy-authorization',
      'origin',
      'x-forwarded-for',
      'x-real-ip',
      'cf-connecting-ip',
      'keep-alive',
      'te',
    ]) {
      expect(sent.headers.get(name), name).toBeNull();
    }
  });

  it("replaces the upstream's CORS answer with its own and returns no cookies", async () => {
    fakeUpstream(() => {
      const headers = new Headers({
        'Content-Type': 'application/ld+json',
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Expose-Headers': 'X-Secret',
        'Access-Control-Allow-Methods': 'GET',
        Vary: 'Accept, Accept-Encoding',
        'Cache-Control': 'max-age=3600',
        ETag: '"abc"',
        'Keep-Alive': 'timeout=5',
        'Alt-Svc': 'h3=":443"',
        'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
      });
      headers.append('Set-Cookie', 'JSESSIONID=abc; Path=/; Secure');
      headers.append('Set-Cookie', 'AWSALB=xyz; Path=/');
      return new Response('{"@id":"https://orcid.org/0000-0002-1825-0097"}', { headers });
    });
    const response = await proxied('/https://orcid.org/0000-0002-1825-0097', 'https://client.perio.do', {
      headers: { Accept: 'application/ld+json' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://client.perio.do');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('access-control-expose-headers')).toBeNull();
    expect(response.headers.get('access-control-allow-methods')).toBeNull();
    expect(response.headers.get('vary')).toBe('Accept, Accept-Encoding, Origin');
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get('keep-alive')).toBeNull();
    expect(response.headers.get('alt-svc')).toBeNull();
    expect(response.headers.get('strict-transport-security')).toBeNull();
    // What the client needs is kept.
    expect(response.headers.get('content-type')).toBe('application/ld+json');
    expect(response.headers.get('cache-control')).toBe('max-age=3600');
    expect(response.headers.get('etag')).toBe('"abc"');
    // Upstream content can never act as a page of the proxy's own origin.
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(await response.json()).toEqual({ '@id': 'https://orcid.org/0000-0002-1825-0097' });
  });
});

describe('CORS proxy: redirects from the upstream', () => {
  it('rewrites a redirect to an allowed host so the browser comes back through the proxy', async () => {
    const upstream = fakeUpstream((request) =>
      new URL(request.url).host === 'doi.org'
        ? new Response(null, { status: 302, headers: { Location: 'https://api.crossref.org/v1/works/10.1000%2Fxyz/transform' } })
        : new Response('{"title":"Periods"}', { headers: { 'Content-Type': 'application/vnd.citationstyles.csl+json' } }),
    );
    const first = await proxied('/https://doi.org/10.1000/xyz', CLIENT, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe(`${PROXY}/https://api.crossref.org/v1/works/10.1000%2Fxyz/transform`);
    expect(first.headers.get('access-control-allow-origin')).toBe(CLIENT);
    // The proxy itself did not follow it.
    expect(upstream.hosts).toEqual(['doi.org']);

    // The browser follows the rewritten Location back through the proxy.
    const second = await proxied(new URL(first.headers.get('location')!).pathname, CLIENT);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual({ title: 'Periods' });
    expect(upstream.requests.map((r) => r.url)).toEqual([
      'https://doi.org/10.1000/xyz',
      'https://api.crossref.org/v1/works/10.1000%2Fxyz/transform',
    ]);
  });

  it.each([301, 303, 307, 308])('rewrites a %i redirect, keeping its status', async (status) => {
    fakeUpstream(() => new Response(null, { status, headers: { Location: 'http://www.worldcat.org/title/56541456' } }));
    const response = await proxied('/https://worldcat.org/oclc/56541456', CLIENT, { redirect: 'manual' });
    expect(response.status).toBe(status);
    expect(response.headers.get('location')).toBe(`${PROXY}/http://www.worldcat.org/title/56541456`);
  });

  it('resolves a relative Location against the upstream URL before rewriting it', async () => {
    fakeUpstream(() => new Response(null, { status: 301, headers: { Location: '/v3.0/0000-0002-1825-0097/record?lang=en' } }));
    const response = await proxied('/https://pub.orcid.org/0000-0002-1825-0097', CLIENT, { redirect: 'manual' });
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe(`${PROXY}/https://pub.orcid.org/v3.0/0000-0002-1825-0097/record?lang=en`);
  });

  it('rewrites a Location on a non-redirect answer too, and drops one that points outside the allow-list', async () => {
    fakeUpstream((request) =>
      request.url.endsWith('/inside')
        ? new Response('created', { status: 201, headers: { Location: 'https://api.crossref.org/deposits/42' } })
        : new Response('created', { status: 201, headers: { Location: 'https://evil.example/deposits/42' } }),
    );
    const inside = await proxied('/https://api.crossref.org/inside', CLIENT, { method: 'POST', body: 'x' });
    expect(inside.status).toBe(201);
    expect(inside.headers.get('location')).toBe(`${PROXY}/https://api.crossref.org/deposits/42`);
    const outside = await proxied('/https://api.crossref.org/outside', CLIENT, { method: 'POST', body: 'x' });
    expect(outside.status).toBe(201);
    expect(outside.headers.get('location')).toBeNull();
    expect(await outside.text()).toBe('created');
  });

  it('uses the host the caller reached the proxy on (here the production proxy)', async () => {
    fakeUpstream(() => new Response(null, { status: 302, headers: { Location: 'https://api.crossref.org/works/x' } }));
    const response = await workerFetchWith(envFor('production'), 'https://corsproxy.perio.do/https://doi.org/10.1000/x', {
      headers: { Origin: 'https://client.perio.do' },
      redirect: 'manual',
    });
    expect(response.headers.get('location')).toBe('https://corsproxy.perio.do/https://api.crossref.org/works/x');
  });

  it.each([
    ['another site', 'https://evil.example/steal', /evil\.example/],
    ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254/],
    ['localhost', 'http://localhost:8787/admin', /localhost/],
    ['an allowed host on another port', 'https://api.crossref.org:8443/works', /port 8443/],
    ['a look-alike of an allowed host', 'https://evilcrossref.org/works', /evilcrossref\.org/],
    ['a non-http scheme', 'ftp://doi.org/file', /Only http and https/],
  ])('does not follow or pass on a redirect to %s: 502 saying why', async (_name, location, message) => {
    const upstream = fakeUpstream(() => new Response('moved', { status: 302, headers: { Location: location } }));
    const response = await proxied('/https://doi.org/10.1000/xyz', CLIENT, { redirect: 'manual' });
    const body = await expectJsonError(response, 502, /redirected to .* which this proxy does not serve/);
    expect(body.message).toMatch(message);
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('access-control-allow-origin')).toBe(CLIENT);
    expect(upstream.hosts).toEqual(['doi.org']);
  });
});

describe('CORS proxy: bodies', () => {
  it('forwards a request body and its content type', async () => {
    const upstream = fakeUpstream(async (request) => new Response(`got ${await request.text()}`));
    const response = await proxied('/https://api.crossref.org/deposits', CLIENT, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"doi":"10.1000/xyz"}',
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('got {"doi":"10.1000/xyz"}');
    expect(upstream.requests[0].method).toBe('POST');
    expect(upstream.requests[0].headers.get('content-type')).toBe('application/json');
  });

  it('streams the response: the caller reads the first bytes before the upstream has finished', async () => {
    let finish!: () => void;
    const upstreamDone = new Promise<void>((resolve) => (finish = resolve));
    fakeUpstream(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            async start(controller) {
              controller.enqueue(new TextEncoder().encode('first chunk;'));
              await upstreamDone;
              controller.enqueue(new TextEncoder().encode('last chunk'));
              controller.close();
            },
          }),
        ),
    );
    // Straight into the Worker's fetch handler: the fake upstream and the test share one
    // request context, which lets the test hold the upstream stream open (workerd forbids
    // touching one request's streams from another's, as exports.default.fetch would be).
    const { reader, first } = await withinSeconds(5, 'the proxy buffered the response', async () => {
      const response = await workerFetchWith(env, `${PROXY}/https://api.crossref.org/works?rows=1000`, { headers: { Origin: CLIENT } });
      const reader = response.body!.getReader();
      return { reader, first: await reader.read() };
    });
    expect(new TextDecoder().decode(first.value)).toBe('first chunk;');
    finish();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
    expect(rest).toBe('last chunk');
  });

  it('streams the request: the upstream receives the first bytes before the caller has finished sending', async () => {
    const encoder = new TextEncoder();
    let upstreamSawFirstChunk!: (text: string) => void;
    const sawFirst = new Promise<string>((resolve) => (upstreamSawFirstChunk = resolve));
    fakeUpstream(async (request) => {
      const reader = request.body!.getReader();
      const first = await reader.read();
      upstreamSawFirstChunk(new TextDecoder().decode(first.value));
      let rest = '';
      for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
      return new Response(`rest: ${rest}`);
    });
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const pending = workerFetchWith(env, `${PROXY}/https://api.crossref.org/deposits`, {
      method: 'POST',
      headers: { Origin: CLIENT },
      body: readable,
    });
    await writer.write(encoder.encode('part one;'));
    const first = await withinSeconds(5, 'the proxy buffered the request', () => sawFirst);
    expect(first).toBe('part one;');
    await writer.write(encoder.encode('part two'));
    await writer.close();
    const response = await pending;
    expect(await response.text()).toBe('rest: part two');
  });
});

describe('CORS proxy: request body limit (75 MB)', () => {
  const LIMIT = 75 * MiB;

  /** A body of `size` bytes, produced 1 MiB at a time, sent without a Content-Length. */
  function chunkedBody(size: number): ReadableStream<Uint8Array> {
    const chunk = new Uint8Array(MiB);
    let sent = 0;
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= size) return controller.close();
        const n = Math.min(MiB, size - sent);
        controller.enqueue(n === MiB ? chunk : chunk.subarray(0, n));
        sent += n;
      },
    });
  }

  /** A body that declares its `size` in Content-Length, produced 1 MiB at a time. */
  function sizedBody(size: number): ReadableStream<Uint8Array> {
    const stream = new FixedLengthStream(size);
    const writer = stream.writable.getWriter();
    (async () => {
      for (let sent = 0; sent < size; sent += MiB) await writer.write(new Uint8Array(Math.min(MiB, size - sent)));
      await writer.close();
    })().catch(() => {});
    return stream.readable;
  }

  const countingUpstream = () => fakeUpstream(async (request) => new Response(String(await countBytes(request.body))));

  it('refuses a declared Content-Length over 75 MB with 413 before contacting the upstream', async () => {
    const upstream = countingUpstream();
    const response = await proxied('/https://api.crossref.org/deposits', CLIENT, { method: 'POST', body: sizedBody(LIMIT + 1) });
    await expectJsonError(response, 413, /limited to 75 MB/);
    expect(response.headers.get('access-control-allow-origin')).toBe(CLIENT);
    expect(upstream.calls).toBe(0);
  });

  it('accepts a declared body of exactly 75 MB', async () => {
    const upstream = countingUpstream();
    const response = await proxied('/https://api.crossref.org/deposits', CLIENT, { method: 'POST', body: sizedBody(LIMIT) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(String(LIMIT));
    expect(upstream.requests[0].headers.get('content-length')).toBe(String(LIMIT));
  });

  it('refuses a streamed body that grows past 75 MB with 413', async () => {
    const upstream = countingUpstream();
    const response = await proxied('/https://api.crossref.org/deposits', CLIENT, { method: 'POST', body: chunkedBody(LIMIT + MiB) });
    await expectJsonError(response, 413, /limited to 75 MB/);
    expect(response.headers.get('access-control-allow-origin')).toBe(CLIENT);
    // The upstream saw the start of the stream, then the upload was cut off.
    expect(upstream.calls).toBe(1);
  });

  it('accepts a streamed body of exactly 75 MB', async () => {
    countingUpstream();
    const response = await proxied('/https://api.crossref.org/deposits', CLIENT, { method: 'POST', body: chunkedBody(LIMIT) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(String(LIMIT));
  });
});

describe('CORS proxy: upstream failures', () => {
  it('answers 504 with a message when the upstream does not answer in time', async () => {
    const upstream = fakeUpstream(neverAnswers);
    const request = new Request(`${PROXY}/https://api.crossref.org/works/10.1000/xyz`, { headers: { Origin: CLIENT } });
    // The app with the timeout shortened (the configured one is 30 s).
    const response = await corsProxyApp.fetch(request, { ...env, CORS_PROXY_TIMEOUT_MS: '100' });
    await expectJsonError(response, 504, /api\.crossref\.org did not answer within 0\.1 seconds/);
    expect(response.headers.get('access-control-allow-origin')).toBe(CLIENT);
    expect(upstream.requests[0].signal.aborted).toBe(true);
  });

  it('answers 502 with a message when the upstream cannot be reached', async () => {
    fakeUpstream(() => {
      throw new TypeError('Network connection lost.');
    });
    const response = await proxied('/https://orcid.org/0000-0002-1825-0097');
    await expectJsonError(response, 502, /Could not reach orcid\.org/);
    expect(response.headers.get('access-control-allow-origin')).toBe(CLIENT);
  });
});

describe('CORS proxy: configuration per environment', () => {
  it.each([
    ['staging', 'https://corsproxy.staging.perio.do', 'https://client.staging.perio.do'],
    ['production', 'https://corsproxy.perio.do', 'https://client.perio.do'],
  ] as const)('%s: serves its own client and perio.do, on its own host', async (name, proxy, client) => {
    const upstream = fakeUpstream();
    for (const origin of [client, 'https://perio.do', 'http://localhost:8080']) {
      const response = await workerFetchWith(envFor(name), `${proxy}/https://doi.org/10.1000/xyz`, { headers: { Origin: origin } });
      expect(response.status, origin).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    }
    expect(upstream.calls).toBe(3);
  });

  it.each(['staging', 'production'] as const)('%s: refuses the development client origin and foreign upstreams', async (name) => {
    const upstream = fakeUpstream();
    const proxy = name === 'production' ? 'https://corsproxy.perio.do' : 'https://corsproxy.staging.perio.do';
    const devClient = await workerFetchWith(envFor(name), `${proxy}/https://doi.org/10.1000/xyz`, { headers: { Origin: CLIENT } });
    expect(devClient.status).toBe(403);
    const foreign = await workerFetchWith(envFor(name), `${proxy}/https://evildoi.org/`, { headers: { Origin: 'https://perio.do' } });
    expect(foreign.status).toBe(403);
    expect(upstream.calls).toBe(0);
  });

  it('takes its upstream and origin allow-lists from CORS_PROXY_UPSTREAMS and CORS_PROXY_ORIGINS', async () => {
    const upstream = fakeUpstream();
    const configured = { ...env, CORS_PROXY_UPSTREAMS: 'example.org', CORS_PROXY_ORIGINS: 'https://app.example.net' };
    const call = (path: string, origin: string) => corsProxyApp.fetch(new Request(`${PROXY}${path}`, { headers: { Origin: origin } }), configured);
    expect((await call('/https://api.example.org/x', 'https://app.example.net')).status).toBe(200);
    expect((await call('/https://doi.org/10.1000/xyz', 'https://app.example.net')).status).toBe(403);
    expect((await call('/https://api.example.org/x', 'https://perio.do')).status).toBe(403);
    expect(upstream.hosts).toEqual(['api.example.org']);
  });

  it('refuses to run with an allow-list entry it cannot understand (500, nothing proxied)', async () => {
    const upstream = fakeUpstream();
    for (const broken of [
      { CORS_PROXY_UPSTREAMS: '*' },
      { CORS_PROXY_UPSTREAMS: 'https://doi.org' },
      { CORS_PROXY_UPSTREAMS: '169.254.169.254' },
      { CORS_PROXY_ORIGINS: '*' },
      { CORS_PROXY_TIMEOUT_MS: 'soon' },
    ]) {
      const request = new Request(`${PROXY}/https://doi.org/10.1000/xyz`, { headers: { Origin: CLIENT } });
      const response = await corsProxyApp.fetch(request, { ...env, ...broken });
      await expectJsonError(response, 500, /misconfigured/);
    }
    expect(upstream.calls).toBe(0);
  });

  it("passes the scheduled health check's probe", async () => {
    const upstream = fakeUpstream();
    const results = await runHealthChecks(env, (request) => workerFetch(request));
    expect(results.find((r) => r.check === 'corsproxy')).toMatchObject({ ok: true, status: 403 });
    expect(upstream.calls).toBe(0);
  });
});
