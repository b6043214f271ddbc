/**
 * n3's package entry also loads its stream classes, whose readable-stream dependency
 * cannot load in workerd; the writer, parser and data factory need none of it, so they
 * are imported from n3's own ES modules.
 */
import type * as N3 from 'n3';
import WriterModule from 'n3/src/N3Writer.js';
import ParserModule from 'n3/src/N3Parser.js';
import DataFactoryModule from 'n3/src/N3DataFactory.js';

export const Writer = WriterModule as unknown as typeof N3.Writer;
export const Parser = ParserModule as unknown as typeof N3.Parser;
export const DataFactory = DataFactoryModule as unknown as typeof N3.DataFactory;
export type { Quad, Term } from 'n3';
