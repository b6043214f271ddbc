declare module 'n3/src/N3Writer.js' {
  const Writer: unknown;
  export default Writer;
}
declare module 'n3/src/N3Parser.js' {
  const Parser: unknown;
  export default Parser;
}
declare module 'n3/src/N3DataFactory.js' {
  const DataFactory: unknown;
  export default DataFactory;
}
