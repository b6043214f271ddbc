// jsonld.js's browser build: its Node entry loads an HTTP client that workerd cannot run.
declare module 'jsonld/dist/jsonld.esm.min.js' {
  import jsonld from 'jsonld';
  export default jsonld;
}

declare module 'rdf-canonize' {
  export function canonize(input: string, options: { algorithm: 'RDFC-1.0'; inputFormat: 'application/n-quads'; format: 'application/n-quads' }): Promise<string>;
  const canonizer: { canonize: typeof canonize };
  export default canonizer;
}
