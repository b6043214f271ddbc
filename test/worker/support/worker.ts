import { exports } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import handler from '../../../workers/index';
import type { Env } from '../../../workers/env';

/** A request through the real Worker entry (workers/index.ts), with this file's bindings. */
export function workerFetch(input: string | Request, init?: RequestInit): Promise<Response> {
  const worker = (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;
  return worker.fetch(new Request(input, init));
}

/** A request through the same entry with an environment's vars in place of the dev ones. */
export async function workerFetchWith(env: Env, input: string | Request, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const request = new Request(input, init) as Request<unknown, IncomingRequestCfProperties>;
  const response = await handler.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}
