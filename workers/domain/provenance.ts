/**
 * The history graph (`/h.nt`): the PROV-O account of every merged change, as the
 * reference's provenance.py builds it, written straight out as N-Triples lines so the
 * graph is never held in memory. Also the Atom activity feed (`/feed.xml`). Pure: rows
 * in, text out.
 */
import { PREFIX } from './identifiers';

export const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  foaf: 'http://xmlns.com/foaf/0.1/',
  dcterms: 'http://purl.org/dc/terms/',
  prov: 'http://www.w3.org/ns/prov#',
  // The reference uses the https form of the ActivityStreams namespace.
  as: 'https://www.w3.org/ns/activitystreams#',
} as const;

/** The loader merges as this id; it is no agent, so it gets no association. */
const INITIAL_DATA_LOADER = 'initial-data-loader';

// ---------------------------------------------------------------------------------------
// N-Triples terms

/** Characters an IRIREF may not hold; they are percent-encoded (all are ASCII). */
const IRI_FORBIDDEN = /[\u0000-\u0020<>"{}|^`\\]/g;

export function ntIri(value: string): string {
  return `<${value.replace(IRI_FORBIDDEN, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)}>`;
}

const ECHAR: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/**
 * A string literal: quote, backslash and line breaks as ECHARs, every other control
 * character as a UCHAR. (Lone surrogates become U+FFFD when the text is UTF-8 encoded.)
 */
export function ntString(value: string): string {
  const body = value.replace(/[\u0000-\u001F\u007F\\"]/g, (c) => ECHAR[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
  return `"${body}"`;
}

export function ntLiteral(value: string, datatype?: string): string {
  return datatype ? `${ntString(value)}^^${ntIri(datatype)}` : ntString(value);
}

function triple(s: string, p: string, o: string): string {
  return `${s} ${p} ${o} .\n`;
}

/**
 * A stored ISO timestamp as the reference writes its epoch seconds:
 * `YYYY-MM-DDTHH:MM:SS+00:00` (fractions of a second dropped). Null if unreadable.
 */
export function isoSeconds(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return null;
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}+00:00`;
}

// ---------------------------------------------------------------------------------------
// URIs

/**
 * How the history names things. Non-canonical: `<origin>/h`, `<origin>/d?version=1`…;
 * canonical (CANONICAL=true): `<ARK base>p0h`, `<ARK base>p0d?version=1`…, where the
 * ARK base is the dataset context's `@base`.
 */
export interface HistoryNaming {
  canonical: boolean;
  /** The data app's origin, without a trailing slash: `http://localhost`. */
  origin: string;
  /** The ARK base, e.g. `http://n2t.net/ark:/99152/` (used in canonical mode). */
  arkBase: string;
}

/** The URI of a path of the data app (`h`, `d?version=1`, `patches/2/`), in either mode. */
export function historyUri(naming: HistoryNaming, path: string): string {
  return naming.canonical ? `${naming.arkBase}${PREFIX}${path}` : `${naming.origin}/${path}`;
}

/** `p0trgkv` → `trgkv`; any other id is used as it is. */
function unprefixed(id: string): string {
  return id.startsWith(PREFIX) ? id.slice(PREFIX.length) : id;
}

/** The abstract URI of an authority or period, optionally at a version. */
export function entityUri(naming: HistoryNaming, entityId: string, version?: number | null): string {
  const path = unprefixed(entityId);
  return historyUri(naming, version === undefined || version === null ? path : `${path}?version=${version}`);
}

// ---------------------------------------------------------------------------------------
// The graph

export interface HistoryComment {
  id: number;
  author: string;
  message: string;
  postedAt: string;
}

/** One merged patch request, as the history needs it. */
export interface MergedChange {
  id: number;
  createdAt: string;
  mergedAt: string | null;
  createdBy: string;
  updatedBy: string;
  mergedBy: string | null;
  appliedTo: number | null;
  resultedIn: number | null;
  /** Prefixed entity ids; read (and used) only for the `?full` graph. */
  created: string[];
  updated: string[];
  removed: string[];
  /** Its comments, in the order they were posted. */
  comments: HistoryComment[];
}

/**
 * Writes the history graph one change at a time. Feed it the merged changes in id order
 * (`change`), then `end()`. No line is written twice: the dataset versions already
 * described are remembered (one number each), everything else is unique per change.
 */
export class HistoryGraphWriter {
  private readonly u: (path: string) => string;
  private readonly H: string;
  private readonly V: string;
  private readonly D: string;
  private readonly C: string;
  private readonly describedVersions = new Set<number>();
  /** The last node of the RDF list of changes (`C` itself for the first change). */
  private listTail: string | null = null;
  private blankNodes = 0;

  constructor(
    private readonly naming: HistoryNaming,
    private readonly options: { full: boolean },
  ) {
    this.u = (path) => historyUri(naming, path);
    this.H = this.u('h');
    this.V = this.u('v');
    this.D = this.u('d');
    this.C = `${this.H}#changes`;
  }

  /** The N-Triples lines of one merged change (each ends with a newline). */
  *change(row: MergedChange): Generator<string> {
    const seen = new Set<string>();
    const emit = (s: string, p: string, o: string): string | null => {
      const line = triple(s, p, o);
      if (seen.has(line)) return null;
      seen.add(line);
      return line;
    };
    const { prov, foaf, rdfs, rdf, xsd } = NS;
    const as = NS.as;
    const iri = (v: string) => ntIri(v);
    const P = (ns: string, local: string) => ntIri(`${ns}${local}`);
    const time = (iso: string | null | undefined) => {
      const t = isoSeconds(iso);
      return t === null ? null : ntLiteral(t, `${xsd}dateTime`);
    };

    const i = row.id;
    const change = iri(`${this.H}#change-${i}`);
    const patch = iri(`${this.H}#patch-${i}`);
    const patchRequest = iri(`${this.H}#patch-request-${i}`);
    const lines: (string | null)[] = [];

    lines.push(emit(patch, P(foaf, 'page'), iri(this.u(`patches/${i}/patch.jsonpatch`))));
    lines.push(emit(patchRequest, P(foaf, 'page'), iri(this.u(`patches/${i}/`))));
    const started = time(row.createdAt);
    if (started) lines.push(emit(change, P(prov, 'startedAtTime'), started));
    const ended = time(row.mergedAt);
    if (ended) lines.push(emit(change, P(prov, 'endedAtTime'), ended));

    const datasetVersion = (v: number | null): string | null => {
      if (v === null) return null;
      const node = iri(this.u(`d?version=${v}`));
      if (!this.describedVersions.has(v)) {
        this.describedVersions.add(v);
        lines.push(emit(node, P(prov, 'specializationOf'), iri(this.D)));
      }
      return node;
    };
    const versionIn = datasetVersion(row.appliedTo);
    const versionOut = datasetVersion(row.resultedIn);
    if (versionIn) lines.push(emit(change, P(prov, 'used'), versionIn));
    lines.push(emit(change, P(prov, 'used'), patch));
    if (versionOut) lines.push(emit(change, P(prov, 'generated'), versionOut));
    lines.push(emit(change, P(rdfs, 'seeAlso'), patchRequest));
    yield* flush(lines);

    if (this.options.full) {
      const entityVersion = (id: string): string => {
        const entityVer = iri(entityUri(this.naming, id, row.resultedIn));
        lines.push(emit(entityVer, P(prov, 'specializationOf'), iri(entityUri(this.naming, id))));
        lines.push(emit(change, P(prov, 'generated'), entityVer));
        return entityVer;
      };
      for (const id of row.created) {
        entityVersion(id);
        if (lines.length >= 256) yield* flush(lines);
      }
      for (const id of row.updated) {
        const entityVer = entityVersion(id);
        lines.push(emit(entityVer, P(prov, 'wasRevisionOf'), iri(entityUri(this.naming, id, row.appliedTo))));
        if (lines.length >= 256) yield* flush(lines);
      }
      for (const id of row.removed) {
        lines.push(emit(change, P(prov, 'invalidated'), iri(entityUri(this.naming, id))));
        if (lines.length >= 256) yield* flush(lines);
      }
      yield* flush(lines);
    }

    if (row.comments.length > 0) {
      const comments = iri(`${this.H}#patch-request-${i}-comments`);
      lines.push(emit(patchRequest, P(as, 'replies'), comments));
      lines.push(emit(comments, P(as, 'totalItems'), ntLiteral(String(row.comments.length), `${xsd}nonNegativeInteger`)));
      row.comments.forEach((c, n) => {
        const comment = iri(`${this.H}#patch-request-${i}-comment-${c.id}`);
        lines.push(emit(comments, P(as, 'items'), comment));
        if (n === 0) lines.push(emit(comments, P(as, 'first'), comment));
        if (n === row.comments.length - 1) lines.push(emit(comments, P(as, 'last'), comment));
        lines.push(emit(comment, P(rdf, 'type'), P(as, 'Note')));
        lines.push(emit(comment, P(as, 'attributedTo'), iri(c.author)));
        const published = time(c.postedAt);
        if (published) lines.push(emit(comment, P(as, 'published'), published));
        lines.push(emit(comment, P(as, 'mediaType'), ntLiteral('text/plain')));
        lines.push(emit(comment, P(as, 'content'), ntLiteral(c.message)));
      });
      yield* flush(lines);
    }

    const roles: [string | null, string][] = [
      [row.createdBy, 'submitted'],
      [row.updatedBy, 'updated'],
      [row.mergedBy, 'merged'],
    ];
    for (const [agentId, role] of roles) {
      if (!agentId || agentId === INITIAL_DATA_LOADER) continue;
      const agent = iri(agentId);
      const association = iri(`${this.H}#patch-${i}-${role}`);
      lines.push(emit(change, P(prov, 'wasAssociatedWith'), agent));
      lines.push(emit(change, P(prov, 'qualifiedAssociation'), association));
      lines.push(emit(association, P(prov, 'agent'), agent));
      lines.push(emit(association, P(prov, 'hadRole'), iri(`${this.V}#${role}`)));
    }

    // The RDF list of changes, headed by <h#changes> itself, as rdflib's Collection makes it.
    let node: string;
    if (this.listTail === null) {
      node = iri(this.C);
    } else {
      node = `_:b${++this.blankNodes}`;
      lines.push(triple(this.listTail, P(rdf, 'rest'), node));
    }
    lines.push(triple(node, P(rdf, 'first'), change));
    this.listTail = node;
    yield* flush(lines);
  }

  /** The closing lines: the end of the list of changes and `<d> dcterms:provenance <h#changes>`. */
  end(): string {
    let out = '';
    if (this.listTail !== null) out += triple(this.listTail, ntIri(`${NS.rdf}rest`), ntIri(`${NS.rdf}nil`));
    out += triple(ntIri(this.D), ntIri(`${NS.dcterms}provenance`), ntIri(this.C));
    return out;
  }
}

function* flush(lines: (string | null)[]): Generator<string> {
  const text = lines.filter((l) => l !== null).join('');
  lines.length = 0;
  if (text) yield text;
}

// ---------------------------------------------------------------------------------------
// The activity feed

export type ActivityKind = 'submitted' | 'updated' | 'merged' | 'rejected' | 'commented on';

/** One thing that happened to a patch request. */
export interface Activity {
  kind: ActivityKind;
  patchRequestId: number;
  /** ISO timestamp of the activity. */
  at: string;
  /** Who did it: a user id, and the user's name where known. */
  who: string;
  whoName: string | null;
  /** Who submitted the patch request. */
  submitter: string;
  submitterName: string | null;
  /** For comments: the comment's id and text. */
  commentId: number | null;
  message: string | null;
}

export interface FeedSettings {
  /** The data app's origin, without a trailing slash. */
  origin: string;
  /** The web client's URL (`CLIENT_URL`). */
  clientUrl: string;
}

/** XML 1.0 cannot hold these code points at all, escaped or not. */
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text for XML (and HTML) element content and attribute values. */
export function escapeXml(value: string): string {
  return value
    .replace(XML_INVALID, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const LOADER_NAME = 'initial data loader';

function displayName(id: string, name: string | null): string {
  if (name) return name;
  return id === INITIAL_DATA_LOADER ? LOADER_NAME : id;
}

const isWebUri = (v: string) => /^https?:\/\/[^\s<>"]+$/.test(v);

/** A person as HTML: a link to their ORCID page where the id is one. */
function personHtml(id: string, name: string | null): string {
  const text = escapeXml(displayName(id, name));
  return isWebUri(id) ? `<a href="${escapeXml(id)}" rel="nofollow">${text}</a>` : text;
}

/** Escapes a comment for HTML, turning the web addresses in it into links (as bleach's linkify). */
export function linkifiedHtml(text: string): string {
  const out: string[] = [];
  let last = 0;
  for (const m of text.matchAll(/https?:\/\/[^\s<>"']+/g)) {
    let url = m[0];
    // Sentence punctuation after an address is not part of it.
    const trailing = /[.,;:!?)\]}]+$/.exec(url);
    if (trailing) url = url.slice(0, url.length - trailing[0].length);
    const start = m.index;
    out.push(escapeXml(text.slice(last, start)));
    out.push(`<a href="${escapeXml(url)}" rel="nofollow">${escapeXml(url)}</a>`);
    last = start + url.length;
  }
  out.push(escapeXml(text.slice(last)));
  return out.join('');
}

/** The client's review page of a patch request (the reference's `build_client_url`). */
export function reviewPatchUrl(settings: FeedSettings, patchRequestId: number): string {
  const query = new URLSearchParams({ page: 'review-patch', backendID: `web-${settings.origin}/`, patchURL: `patches/${patchRequestId}/` });
  return `${settings.clientUrl.replace(/\/+$/, '')}/?${query.toString()}`;
}

const SENTENCES: Record<ActivityKind, string> = {
  submitted: '$who submitted a proposed change:',
  updated: '$who updated a change initially proposed by $submitter:',
  merged: '$who merged a change initially proposed by $submitter:',
  rejected: '$who rejected a change initially proposed by $submitter:',
  'commented on': '$who commented on a change initially proposed by $submitter:',
};

function entryHtml(activity: Activity, review: string, comments: Activity[]): string {
  const sentence = SENTENCES[activity.kind]
    .split('$who')
    .map((part) => part.split('$submitter').map(escapeXml).join(personHtml(activity.submitter, activity.submitterName)))
    .join(personHtml(activity.who, activity.whoName));
  const link = escapeXml(review);
  const commentHtml = comments
    .map((c) => `<p><span>${personHtml(c.who, c.whoName)} ${escapeXml(isoSeconds(c.at) ?? c.at)}</span><br>${linkifiedHtml(c.message ?? '')}</p>`)
    .join('');
  return `<p>${sentence}</p><p><a href="${link}" rel="nofollow">${link}</a></p><div>${commentHtml}</div>`;
}

/**
 * The Atom feed of the given activities (newest first), or null when there are none.
 * Each entry is about one patch request (its id is the patch request's URL, so feed
 * readers show the latest activity of each) and quotes the comments on it among the
 * activities up to that one.
 */
export function activityFeed(settings: FeedSettings, activities: Activity[]): string | null {
  if (activities.length === 0) return null;
  const feedUrl = `${settings.origin}/feed.xml`;
  const x = escapeXml;
  const time = (iso: string) => x(isoSeconds(iso) ?? iso);

  // Oldest first, so each entry can quote the comments made up to it.
  const commentsSoFar = new Map<number, Activity[]>();
  const entries: string[] = [];
  for (const a of [...activities].reverse()) {
    const review = reviewPatchUrl(settings, a.patchRequestId);
    if (a.kind === 'commented on') {
      const list = commentsSoFar.get(a.patchRequestId) ?? [];
      list.push(a);
      commentsSoFar.set(a.patchRequestId, list);
    }
    const who = displayName(a.who, a.whoName);
    entries.push(
      [
        '  <entry>',
        `    <id>${x(`${settings.origin}/patches/${a.patchRequestId}/`)}</id>`,
        `    <title>${x(`${who} ${a.kind} change #${a.patchRequestId}`)}</title>`,
        `    <updated>${time(a.at)}</updated>`,
        '    <author>',
        `      <name>${x(who)}</name>`,
        ...(isWebUri(a.who) ? [`      <uri>${x(a.who)}</uri>`] : []),
        '    </author>',
        `    <content type="html">${x(entryHtml(a, review, commentsSoFar.get(a.patchRequestId) ?? []))}</content>`,
        `    <link href="${x(review)}" rel="alternate"/>`,
        '  </entry>',
      ].join('\n'),
    );
  }
  entries.reverse();

  return [
    "<?xml version='1.0' encoding='UTF-8'?>",
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `  <id>${x(feedUrl)}</id>`,
    '  <title>PeriodO changes</title>',
    `  <updated>${time(activities[0].at)}</updated>`,
    '  <author>',
    '    <name>PeriodO</name>',
    '    <uri>https://perio.do/</uri>',
    '  </author>',
    `  <link href="${x(feedUrl)}" rel="self"/>`,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}
