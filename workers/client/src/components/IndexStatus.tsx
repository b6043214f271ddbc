import { indexState, reloadIndex } from '../search/client';

/** Loading / failed states of the search index (nothing once it is ready). */
export function IndexStatus() {
  const s = indexState.value;
  if (s.status === 'ready') return null;
  if (s.status === 'failed') {
    return (
      <div class="status error" role="alert">
        <p>Search is unavailable: {s.message}</p>
        <p>
          {s.retryIn !== null ? `Trying again in ${s.retryIn} s. ` : ''}
          <button type="button" onClick={reloadIndex}>
            Try again now
          </button>
        </p>
      </div>
    );
  }
  return (
    <p class="status" role="status">
      Loading the search index…
    </p>
  );
}
