/**
 * A clone of this repository alone runs its tests and scripts: nothing they read may lie
 * outside it (the workspace's ../shared/data in particular). `.ci/run` proves it end to end
 * in a fresh clone; this check names the offending file and path at once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mts|js|mjs|json)$/.test(name) ? [path] : [];
  });
}

/** Relative paths written as string literals ('../x', "./y/z"), as imports and file reads use them. */
function relativePaths(text: string): string[] {
  return [...text.matchAll(/['"`](\.\.?\/[^'"`\s$]*)['"`]/g)].map((m) => m[1]);
}

describe('the repository stands alone', () => {
  const files = ['test', 'scripts', 'workers', 'durable-objects'].flatMap((d) => sources(join(root, d)));
  files.push(join(root, 'vitest.config.ts'));

  it('reads nothing from the workspace beside it', () => {
    for (const file of files) {
      if (file === fileURLToPath(import.meta.url)) continue;
      const text = readFileSync(file, 'utf8');
      expect(text, relative(root, file)).not.toMatch(/\.\.\/shared\/data|\/work\/shared/);
    }
  });

  it('resolves every relative path to a place inside the repository', () => {
    const outside: string[] = [];
    for (const file of files) {
      for (const path of relativePaths(readFileSync(file, 'utf8'))) {
        // `new URL('../..', import.meta.url)` and imports resolve against the file's folder.
        const target = resolve(dirname(file), path);
        if (relative(root, target).startsWith('..')) outside.push(`${relative(root, file)}: ${path}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
