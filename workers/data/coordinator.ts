/** The data app's calls to the single writer, and its refusals turned into thrown HttpErrors. */
import type { Env } from '../env';
import type { CoordinatorError } from '../../durable-objects/dataset-coordinator';
import { HttpError } from '../shared/errors';

export function coordinator(env: Env) {
  return env.COORDINATOR.getByName('dataset');
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
