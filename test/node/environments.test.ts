import { unstable_readConfig } from 'wrangler';
import { describe, expect, it } from 'vitest';

const read = (env?: string) => unstable_readConfig({ config: 'wrangler.toml', env });

/** Every identifier of a deployed resource or public name an environment uses. */
function resources(env: string) {
  const c = read(env);
  return {
    worker: [c.name],
    databases: c.d1_databases.flatMap((d) => [d.database_id, d.database_name]),
    buckets: c.r2_buckets.map((b) => b.bucket_name),
    queues: [...(c.queues.producers ?? []).map((q) => q.queue), ...(c.queues.consumers ?? []).flatMap((q) => [q.queue, q.dead_letter_queue ?? ''])].filter(Boolean),
    hostnames: [
      ...(c.routes ?? []).map((r) => (typeof r === 'string' ? r : r.pattern)),
      ...['DATA_HOSTS', 'CLIENT_HOSTS', 'CORSPROXY_HOSTS', 'LEGACY_HOSTS'].flatMap((k) => String(c.vars[k]).split(',')),
    ],
    durableObjectClasses: c.durable_objects.bindings.map((b) => `${c.name}:${b.class_name}`),
  };
}

describe('wrangler environments', () => {
  it('staging and production share no worker, database, bucket, queue, hostname or Durable Object namespace', () => {
    const staging = resources('staging');
    const production = resources('production');
    for (const key of Object.keys(staging) as (keyof typeof staging)[]) {
      expect(staging[key].length, `staging declares ${key}`).toBeGreaterThan(0);
      const shared = staging[key].filter((x) => production[key].includes(x));
      expect(shared, `${key} shared by staging and production`).toEqual([]);
    }
  });

  it('neither deployed environment reuses a development resource or ships the development admin token', () => {
    const dev = resources('');
    for (const env of ['staging', 'production']) {
      const r = resources(env);
      for (const key of ['databases', 'buckets', 'queues', 'hostnames'] as const) {
        expect(r[key].filter((x) => dev[key].includes(x)), `${env} ${key}`).toEqual([]);
      }
      expect(read(env).vars.ADMIN_TOKEN, `${env} must take ADMIN_TOKEN from a secret`).toBeUndefined();
    }
  });

  it('each environment binds the same names, so the code runs unchanged in all three', () => {
    const names = (env?: string) => {
      const c = read(env);
      return [
        ...c.d1_databases.map((d) => d.binding),
        ...c.r2_buckets.map((b) => b.binding),
        ...(c.queues.producers ?? []).map((q) => q.binding),
        ...c.durable_objects.bindings.map((b) => b.name),
        c.assets?.binding,
      ].sort();
    };
    expect(names('staging')).toEqual(names());
    expect(names('production')).toEqual(names());
    expect(read('production').vars.CANONICAL).toBe('true');
  });
});
