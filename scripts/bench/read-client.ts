/**
 * The benchmarks' client for timed reads, run as a process of its own so that nothing else
 * it holds shares its heap (read-timing.ts `measureReads`).
 *
 * `node scripts/bench/read-client.ts '<ReadSpec as JSON>'` prints a ReadMeasure as JSON.
 */
import { measureReadsHere, warmUpClient, type ReadSpec } from './read-timing.ts';

const spec = JSON.parse(process.argv[2] ?? '') as ReadSpec;
await warmUpClient();
process.stdout.write(JSON.stringify(await measureReadsHere(spec)));
