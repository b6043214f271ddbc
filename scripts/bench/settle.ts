/**
 * Waits until the head version's Turtle, N-Triples and CSV exports exist. Locally the
 * export consumer shares workerd's thread, so benchmarks time reads only after it is done.
 */
export async function exportsSettled(origin: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const format of ['ttl', 'nt', 'csv']) {
    for (;;) {
      const r = await fetch(`${origin}/dataset.${format}`, { method: 'HEAD' });
      if (r.status === 200) break;
      if (Date.now() > deadline) throw new Error(`the ${format} export did not finish within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
