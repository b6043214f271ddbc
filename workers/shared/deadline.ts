/** Bounded waits: work that may be slow or hang must not hold what waits for it. */

/** `work`'s value, or `fallback` once `ms` have passed first (the timer is cleared either way). */
export function within<T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<F>((resolve) => (timer = setTimeout(() => resolve(fallback), ms)));
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
