/**
 * What the load run reads and writes: the read mix (paths a client, a crawler and the
 * n2t.net resolver ask for) and each editor's patches.
 */
export type Json = Record<string, unknown>;

const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
/** `p0trgkv` → `trgkv`: the public path of an entity drops the ARK shoulder. */
const bare = (id: string) => id.replace(/^p0/, '');

function sortedAuthorities(doc: Json): [string, Json][] {
  return Object.entries(doc.authorities as Record<string, Json>).sort(([a], [b]) => a.localeCompare(b));
}

function periodsOf(authority: Json): string[] {
  return Object.keys((authority.periods as Json | undefined) ?? {});
}

/**
 * The read mix: the dataset (latest twice, as it is read most, and one immutable
 * version), ten authorities and ten periods as JSON, their HTML views, the context, the
 * history, the patch list, the dataset description and the web client's search index (latest and versioned).
 */
export function buildReadPaths(doc: Json, version: number): string[] {
  const authorities = sortedAuthorities(doc).filter(([, a]) => periodsOf(a).length > 0);
  const step = Math.max(1, Math.floor(authorities.length / 10));
  const picked = authorities.filter((_, k) => k % step === 0).slice(0, 10);
  const paths = ['/d.json', '/d.json', `/d.json?version=${version}`, '/c', '/h.nt', '/patches.json', '/index.json', '/identifier-map.json', '/search-index.json', `/search-index.json?version=${version}`];
  for (const [k, [id, a]] of picked.entries()) {
    const period = periodsOf(a)[0];
    paths.push(`/${bare(id)}.json`, `/${bare(period)}.json`, `/${bare(period)}.jsonld`);
    if (k % 2 === 0) paths.push(`/${bare(id)}.json.html`, `/${bare(period)}.ttl.html`);
  }
  return paths;
}

/**
 * Patch `i` of editor `e`. Each editor owns one authority and adds periods to it or
 * relabels its first period; every third patch sets the editorial note of one authority
 * all editors share, so the final dataset depends on the merge order.
 */
export function editorPatch(startDoc: Json, e: number, i: number): Json[] {
  const authorities = sortedAuthorities(startDoc).filter(([, a]) => periodsOf(a).length > 0);
  const [sharedId] = authorities[0];
  const [ownId, own] = authorities[1 + (e % (authorities.length - 1))];
  switch (i % 3) {
    case 0: {
      const skolem = `https://perio.do/.well-known/genid/load-${e}-${i}`;
      return [
        {
          op: 'add',
          path: `/authorities/${ownId}/periods/${escape(skolem)}`,
          value: {
            id: skolem,
            type: 'Period',
            label: `Load period ${i}`,
            language: 'eng-latn',
            localizedLabels: { 'eng-latn': [`Load period ${i}`] },
            spatialCoverage: [{ id: 'http://www.wikidata.org/entity/Q43', label: 'Turkey' }],
            start: { in: { year: String(-1000 - i) } },
            stop: { in: { year: String(-500 - i) } },
          },
        },
      ];
    }
    case 1:
      return [{ op: 'add', path: `/authorities/${sharedId}/editorialNote`, value: `Load note ${i} by editor ${e}` }];
    default:
      return [{ op: 'replace', path: `/authorities/${ownId}/periods/${escape(periodsOf(own)[0])}/label`, value: `Relabelled ${i} by editor ${e}` }];
  }
}
