/**
 * Every write of the data app goes to the DatasetCoordinator through `coordinatorCall`.
 * A call that throws instead of answering (the object was reset, evicted mid-call or
 * overloaded) becomes a 503 with Retry-After: the change is committed whole or not at all
 * (one D1 batch), so the client is told to look and try again, never a 500.
 */
import type { Env } from '../env';
import type { DatasetCoordinator } from '../../durable-objects/dataset-coordinator';
import { HttpError } from '../shared/errors';

export const COORDINATOR_RETRY_AFTER = 5;

export async function coordinatorCall<R>(env: Env, what: string, call: (coordinator: DurableObjectStub<DatasetCoordinator>) => R): Promise<Awaited<R>> {
  try {
    return await call(env.COORDINATOR.getByName('dataset'));
  } catch (error) {
    console.error(`dataset coordinator: ${what} was interrupted: ${String(error)}`);
    throw new HttpError(
      503,
      `The dataset's writer was interrupted while handling this ${what}. It was either applied whole or not at all: reload to see which, and try again in ${COORDINATOR_RETRY_AFTER} seconds if it was not.`,
      { 'Retry-After': String(COORDINATOR_RETRY_AFTER) },
    );
  }
}
