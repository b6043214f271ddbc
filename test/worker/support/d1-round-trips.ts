/**
 * The real D1 binding, with each round trip to it recorded (a batch, or one statement run
 * on its own) as the SQL of its statements: for tests of how many trips a request makes.
 * Every call goes through to the real database.
 */
const sqlOf = new WeakMap<object, string>();
const realOf = new WeakMap<object, D1PreparedStatement>();

export interface CountedD1 {
  database: D1Database;
  trips: string[][];
}

export function countedD1(real: D1Database): CountedD1 {
  const trips: string[][] = [];
  const statement = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'bind') return (...values: unknown[]) => statement(target.bind(...values), sql);
        if (prop === 'all' || prop === 'raw' || prop === 'first' || prop === 'run') {
          return (...args: unknown[]) => {
            trips.push([sql]);
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    sqlOf.set(proxy, sql);
    realOf.set(proxy, stmt);
    return proxy;
  };
  const database = new Proxy(real, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => statement(target.prepare(sql), sql);
      if (prop === 'batch') {
        return (stmts: D1PreparedStatement[]) => {
          trips.push(stmts.map((s) => sqlOf.get(s) ?? '?'));
          return target.batch(stmts.map((s) => realOf.get(s) ?? s));
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { database, trips };
}
