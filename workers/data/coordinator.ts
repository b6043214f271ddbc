/**
 * The data app's calls to the single writer, and its refusals turned into thrown HttpErrors.
 *
 * A call that throws instead of answering (the object was reset, evicted mid-call or
 * overloaded) becomes a 503 with Retry-After, never a 500: every change is one D1 batch,
 * committed whole or not at all, so the client is told to look and try again.
 */
import type { Env } from '../env';
import type { CoordinatorError, DatasetCoordinator } from '../../durable-objects/dataset-coordinator';
import { HttpError } from '../shared/errors';

export const COORDINATOR_RETRY_AFTER = 5;

function interrupted(method: string, error: unknown): HttpError {
  console.error(`dataset coordinator: ${method} was interrupted: ${String(error)}`);
  const message =
    `The dataset's writer was interrupted while handling this request (${method}). It was either applied whole or not at all: ` +
    `reload to see which, and try again in ${COORDINATOR_RETRY_AFTER} seconds if it was not.`;
  return new HttpError(503, message, { 'Retry-After': String(COORDINATOR_RETRY_AFTER) });
}

/** The writer's stub; each method call that fails to answer throws the 503 above. */
export function coordinator(env: Env): DurableObjectStub<DatasetCoordinator> {
  const stub = env.COORDINATOR.getByName('dataset');
  return new Proxy(stub, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return async (...args: unknown[]) => {
        try {
          // Called as a method of the stub (an RPC method has no `apply` of its own).
          return await (target as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[property](...args);
        } catch (error) {
          throw interrupted(property, error);
        }
      };
    },
  });
}

/**
 * The writer's answer, or its refusal thrown (errors do not keep their class across the
 * Durable Object boundary, so refusals travel as `{ error }` values).
 */
export function settled<T extends object>(result: T): Exclude<T, CoordinatorError> {
  if ('error' in result) {
    const { status, message } = (result as unknown as CoordinatorError).error;
    throw new HttpError(status, message, {}, { message, status });
  }
  return result as Exclude<T, CoordinatorError>;
}
