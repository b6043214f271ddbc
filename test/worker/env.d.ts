// The bindings tests see through `env` from cloudflare:workers.
type PeriodoEnv = import('../../workers/env').Env;
type TestMigrations = import('cloudflare:test').D1Migration[];

declare namespace Cloudflare {
  interface Env extends PeriodoEnv {
    TEST_MIGRATIONS: TestMigrations;
  }
}
