import { jsonError } from '../shared/errors';

const NAMES: Record<string, string> = { ttl: 'Turtle', 'ttl.html': 'Turtle', nt: 'N-Triples', csv: 'CSV' };

/** RDF and CSV representations come from the export pipeline (issue 5); until then say so. */
export function notYetExported(representation: string): Response {
  return jsonError(501, `${NAMES[representation] ?? representation} representations are not available yet; use the JSON-LD (.jsonld) representation.`);
}
