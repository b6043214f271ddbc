/**
 * A loader's state as a hook: pages render loading, slow, failed (with the reason and an
 * automatic retry with back-off) or the data — never a blank screen.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, SLOW_MS } from './client';

export type ResourceState<T> =
  | { status: 'loading'; slow: boolean }
  | { status: 'error'; message: string; retryIn: number | null; retry: () => void }
  | { status: 'ready'; data: T };

/**
 * `loaded` returns the data when it is already at hand: then the page renders with it at
 * once, not a "Loading…" frame first.
 */
export function useResource<T>(load: () => Promise<T>, deps: unknown[], loaded?: () => T | undefined): ResourceState<T> {
  const [state, setState] = useState<ResourceState<T>>(() => {
    const data = loaded?.();
    return data === undefined ? { status: 'loading', slow: false } : { status: 'ready', data };
  });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => setAttempt(0), deps);
  useEffect(() => {
    const data = attempt === 0 ? loaded?.() : undefined;
    if (data !== undefined) {
      setState((s) => (s.status === 'ready' && s.data === data ? s : { status: 'ready', data }));
      return;
    }
    let live = true;
    setState({ status: 'loading', slow: false });
    const slow = setTimeout(() => live && setState({ status: 'loading', slow: true }), SLOW_MS);
    let timer: ReturnType<typeof setTimeout> | undefined;
    load().then(
      (data) => {
        if (live) setState({ status: 'ready', data });
      },
      (error: unknown) => {
        if (!live) return;
        const transient = !(error instanceof ApiError) || error.transient;
        const retry = () => setAttempt((n) => n + 1);
        const retryIn = transient ? Math.min(30, 2 ** attempt) : null;
        if (retryIn !== null) timer = setTimeout(retry, retryIn * 1000);
        setState({ status: 'error', message: error instanceof Error ? error.message : String(error), retryIn, retry });
      },
    ).finally(() => clearTimeout(slow));
    return () => {
      live = false;
      clearTimeout(slow);
      clearTimeout(timer);
    };
  }, [...deps, attempt]);
  return state;
}
