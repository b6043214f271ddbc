/**
 * Operations configuration: Workers Logs and the weekly audit cron in every environment,
 * and a monitor Worker that shares no name, binding or route with what it watches.
 */
import { unstable_readConfig } from 'wrangler';
import { describe, expect, it } from 'vitest';
import { AUDIT_CRON } from '../../workers/ops/weekly-audit.ts';

const main = (env?: string) => unstable_readConfig({ config: 'wrangler.toml', env });
const monitor = (env?: string) => unstable_readConfig({ config: 'workers/monitor/wrangler.toml', env });

describe('operations configuration', () => {
  it('enables Workers Logs and runs the probes and the weekly audit in every environment', () => {
    for (const env of [undefined, 'staging', 'production']) {
      const config = main(env);
      expect(config.observability?.enabled, env).toBe(true);
      expect(config.triggers.crons, env).toEqual(['*/5 * * * *', AUDIT_CRON]);
    }
  });

  it('deploys the monitor apart: its own name, no D1, Durable Object, R2 or queue, no routes', () => {
    const m = monitor('production');
    const names = [undefined, 'staging', 'production'].map((e) => main(e).name);
    expect(names).not.toContain(m.name);
    expect(m.d1_databases).toEqual([]);
    expect(m.durable_objects.bindings).toEqual([]);
    expect(m.r2_buckets).toEqual([]);
    expect(m.queues.producers ?? []).toEqual([]);
    expect(m.routes ?? []).toEqual([]);
    expect(m.observability?.enabled).toBe(true);
    const targets = JSON.parse((m.vars as Record<string, string>).TARGETS) as { name: string; data: string }[];
    expect(targets.map((t) => t.name)).toEqual(['production', 'staging']);
    expect(targets.map((t) => t.data)).toEqual([(main('production').vars as Record<string, string>).DATA_URL, (main('staging').vars as Record<string, string>).DATA_URL]);
  });
});
