import type { Env, ExportJob } from './env';
import { dataApp } from './data/app';
import { clientApp } from './client/app';
import { corsProxyApp } from './corsproxy/app';
import { legacyApp } from './legacy/app';
import { handleExportBatch } from './exports/consumer';
import { runHealthChecks } from './health/checks';

export { DatasetCoordinator } from '../durable-objects/dataset-coordinator';

export type AppName = 'data' | 'client' | 'corsproxy' | 'legacy';

function hostList(value: string | undefined): string[] {
  return (value ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
}

/** Which app serves a request: decided by the Host header alone (without port). */
export function appForHost(host: string, env: Env): AppName {
  const name = host.toLowerCase().replace(/:\d+$/, '');
  if (hostList(env.CLIENT_HOSTS).includes(name)) return 'client';
  if (hostList(env.CORSPROXY_HOSTS).includes(name)) return 'corsproxy';
  if (hostList(env.LEGACY_HOSTS).includes(name)) return 'legacy';
  return 'data';
}

const handler = {
  async fetch(request, env, ctx): Promise<Response> {
    const host = request.headers.get('host') ?? new URL(request.url).host;
    switch (appForHost(host, env)) {
      case 'client':
        return clientApp.fetch(request, env, ctx);
      case 'corsproxy':
        return corsProxyApp.fetch(request, env, ctx);
      case 'legacy':
        return legacyApp.fetch(request, env, ctx);
      default:
        return dataApp.fetch(request, env, ctx);
    }
  },
  async queue(batch, env, ctx): Promise<void> {
    await handleExportBatch(batch, env, ctx);
  },
  async scheduled(_controller, env, ctx): Promise<void> {
    ctx.waitUntil(runHealthChecks(env, (request) => handler.fetch(request as Request<unknown, IncomingRequestCfProperties>, env, ctx)));
  },
} satisfies ExportedHandler<Env, ExportJob>;

export default handler;
