import type { ComponentChildren } from 'preact';
import type { ResourceState } from '../api/resource';

/** Loading / slow / failed states of a resource, or its content. */
export function Loaded<T>({ state, what, children }: { state: ResourceState<T>; what: string; children: (data: T) => ComponentChildren }) {
  if (state.status === 'ready') return <>{children(state.data)}</>;
  if (state.status === 'loading') {
    return (
      <p class="status" role="status">
        {state.slow ? `Still loading ${what}: the data API is slow to answer…` : `Loading ${what}…`}
      </p>
    );
  }
  return (
    <div class="status error" role="alert">
      <p>
        Could not load {what}. {state.message}
      </p>
      <p>
        {state.retryIn !== null ? `Trying again in ${state.retryIn} s. ` : ''}
        <button type="button" onClick={state.retry}>
          Try again now
        </button>
      </p>
    </div>
  );
}
