import { env } from 'cloudflare:workers';
import wranglerToml from '../../../wrangler.toml?raw';
import type { Env } from '../../../workers/env';

export type EnvironmentName = 'development' | 'staging' | 'production';

/**
 * The `vars` table of one environment, read from the project's own wrangler.toml (bundled
 * as text), so tests check the configuration that is deployed rather than a copy of it.
 * Understands what that table holds: `NAME = "string"` lines and comments.
 */
export function wranglerVars(name: EnvironmentName): Record<string, string> {
  const header = name === 'development' ? '[vars]' : `[env.${name}.vars]`;
  const lines = wranglerToml.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === header);
  if (start < 0) throw new Error(`wrangler.toml has no ${header} table`);
  const vars: Record<string, string> = {};
  for (const line of lines.slice(start + 1)) {
    const text = line.trim();
    if (text.startsWith('[')) break;
    if (text === '' || text.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*")\s*(?:#.*)?$/.exec(text);
    if (!m) throw new Error(`wrangler.toml ${header}: cannot read ${JSON.stringify(text)}`);
    vars[m[1]] = JSON.parse(m[2]) as string;
  }
  return vars;
}

/** The test bindings with one environment's vars: what that environment's Worker sees. */
export function envFor(name: EnvironmentName): Env {
  return { ...env, ...wranglerVars(name) } as Env;
}
