/**
 * The patches that turn the current dataset into a target dataset, split so that no
 * request materialises a huge document in the Worker: the dataset's own members first,
 * then authorities in groups of at most `maxPeriods` periods (and `maxBytes` of JSON).
 */
import jsonpatch from 'fast-json-patch';

type Json = Record<string, unknown>;
type Operation = import('fast-json-patch').Operation;

export interface SplitOptions {
  maxPeriods: number;
  maxBytes: number;
}

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function periodCount(authority: unknown): number {
  const periods = (authority as Json | undefined)?.periods;
  return periods && typeof periods === 'object' ? Object.keys(periods).length : 0;
}

const ASSIGNED = /^.*\/\.well-known\/genid\/assigned\/(.+)$/;

/** `…/.well-known/genid/assigned/<id>` → `<id>`, in keys and values alike. */
export function withAssignedIds<T>(value: T): T {
  if (typeof value === 'string') return value.replace(ASSIGNED, '$1') as T;
  if (Array.isArray(value)) return value.map(withAssignedIds) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(ASSIGNED, '$1'), withAssignedIds(v)])) as T;
  }
  return value;
}

/**
 * Member-level diff of two datasets, one operation group per authority. An authority of
 * the target keyed by an assigned skolem id (`…/genid/assigned/<id>`) is the current
 * authority `<id>` if there is one (so loading the same file twice changes nothing);
 * otherwise it is added under its skolem key, which the merge turns into `<id>` and
 * records in the identifier map.
 */
export function datasetPatches(current: Json, target: Json, options: SplitOptions): Operation[][] {
  const { authorities: currentAuthorities = {}, ...currentMeta } = current as { authorities?: Json };
  const { authorities: targetAuthorities = {}, ...targetMeta } = target as { authorities?: Json };

  const metaOps = jsonpatch.compare(currentMeta, targetMeta);
  if (!('authorities' in current) && 'authorities' in target) metaOps.push({ op: 'add', path: '/authorities', value: {} });

  const groups: Operation[][] = [];
  const targetIds = new Set(Object.keys(targetAuthorities).map((k) => k.replace(ASSIGNED, '$1')));
  for (const key of Object.keys(currentAuthorities)) {
    if (!targetIds.has(key)) groups.push([{ op: 'remove', path: `/authorities/${escape(key)}` }]);
  }
  for (const [targetKey, targetValue] of Object.entries(targetAuthorities)) {
    const id = targetKey.replace(ASSIGNED, '$1');
    if (!(id in currentAuthorities)) {
      groups.push([{ op: 'add', path: `/authorities/${escape(targetKey)}`, value: targetValue }]);
    } else {
      const key = id;
      const value = withAssignedIds(targetValue);
      const ops = jsonpatch.compare(currentAuthorities[key] as Json, value as Json).map((op) => ({
        ...op,
        path: `/authorities/${escape(key)}${op.path}`,
        ...('from' in op ? { from: `/authorities/${escape(key)}${(op as { from: string }).from}` } : {}),
      })) as Operation[];
      if (ops.length) groups.push(ops);
    }
  }

  const patches: Operation[][] = [];
  let current_: Operation[] = [...metaOps];
  let periods = 0;
  let bytes = JSON.stringify(metaOps).length;
  for (const group of groups) {
    const groupPeriods = group.reduce((n, op) => n + ('value' in op ? periodCount(op.value) : 0), 0);
    const groupBytes = JSON.stringify(group).length;
    if (current_.length && (periods + groupPeriods > options.maxPeriods || bytes + groupBytes > options.maxBytes)) {
      patches.push(current_);
      current_ = [];
      periods = 0;
      bytes = 0;
    }
    current_.push(...group);
    periods += groupPeriods;
    bytes += groupBytes;
  }
  if (current_.length) patches.push(current_);
  return patches;
}
