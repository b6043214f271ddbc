// The bindings tests see through `env`, and the Worker's exports through `exports`, from cloudflare:workers.
type PeriodoEnv = import('../../workers/env').Env;
type TestMigrations = import('cloudflare:test').D1Migration[];

declare namespace Cloudflare {
  interface Env extends PeriodoEnv {
    TEST_MIGRATIONS: TestMigrations;
  }
  interface GlobalProps {
    mainModule: typeof import('../../workers/index');
    durableNamespaces: 'DatasetCoordinator';
  }
}
