import type { Env, ExportJob } from './env';
import { dataApp } from './data/app';
import { clientApp } from './client/app';
import { corsProxyApp } from './corsproxy/app';
import { legacyApp } from './legacy/app';
import { handleExportBatch } from './exports/consumer';
import { runHealthChecks } from './health/checks';
import { AUDIT_CRON, runWeeklyAudit } from './ops/weekly-audit';
import { withLogContext, withRequestLog } from './shared/request-log';

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
    const app = appForHost(host, env);
    return withRequestLog(app, request, async () => {
      switch (app) {
        case 'client':
          return clientApp.fetch(request, env, ctx);
        case 'corsproxy':
          return corsProxyApp.fetch(request, env, ctx);
        case 'legacy':
          return legacyApp.fetch(request, env, ctx);
        default:
          return dataApp.fetch(request, env, ctx);
      }
    }, (promise) => ctx.waitUntil(promise));
  },
  async queue(batch, env, ctx): Promise<void> {
    await withLogContext({ app: 'exports', requestId: `queue:${batch.queue}:${batch.messages[0]?.id ?? ''}` }, () => handleExportBatch(batch, env, ctx));
  },
  async scheduled(controller, env, ctx): Promise<void> {
    const context = { app: 'cron', requestId: `cron:${controller.cron}:${controller.scheduledTime}` };
    if (controller.cron === AUDIT_CRON) {
      ctx.waitUntil(withLogContext(context, () => runWeeklyAudit(env)));
      return;
    }
    ctx.waitUntil(withLogContext(context, () => runHealthChecks(env, (request) => handler.fetch(request as Request<unknown, IncomingRequestCfProperties>, env, ctx))));
  },
} satisfies ExportedHandler<Env, ExportJob>;

export default handler;
