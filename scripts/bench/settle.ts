/**
 * Waits until the head version's JSON document and its Turtle, N-Triples and CSV exports
 * exist. Locally the export consumer shares workerd's thread, so benchmarks time reads
 * only after it is done.
 */
export async function exportsSettled(origin: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // The JSON document: a byte range is answered (206) only from R2.
  for (;;) {
    const r = await fetch(`${origin}/d.json?settled=${Date.now()}`, { headers: { Range: 'bytes=0-0' } });
    await r.arrayBuffer();
    if (r.status === 206) break;
    if (Date.now() > deadline) throw new Error(`the JSON document did not appear within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  for (const format of ['ttl', 'nt', 'csv']) {
    for (;;) {
      const r = await fetch(`${origin}/dataset.${format}`, { method: 'HEAD' });
      if (r.status === 200) break;
      if (Date.now() > deadline) throw new Error(`the ${format} export did not finish within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
