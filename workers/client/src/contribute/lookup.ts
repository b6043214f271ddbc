/** Source look-ups through the CORS proxy beside the data API. */
import { dataUrl } from '../config';
import { corsProxyFor, fromCrossref, fromWorldcat, upstreamUrl, type LookupTarget } from '../editing/source-lookup';
import type { AuthorityState } from '../editing/authority-form';

export async function lookUpSource(target: LookupTarget): Promise<Partial<AuthorityState>> {
  const proxy = corsProxyFor(await dataUrl());
  let response: Response;
  try {
    response = await fetch(proxy + upstreamUrl(target), { headers: { Accept: target.kind === 'doi' ? 'application/json' : 'application/ld+json, text/html' } });
  } catch {
    throw new Error('The look-up service could not be reached. Type the source in by hand, or try again later.');
  }
  if (response.status === 404) throw new Error(`No record was found for ${target.identifier}.`);
  if (!response.ok) throw new Error(`The look-up failed (${response.status}). Type the source in by hand, or try again later.`);
  const fields = target.kind === 'doi' ? fromCrossref(await response.json().catch(() => null)) : fromWorldcat(await response.text(), target.identifier);
  if (!fields) throw new Error(`The record for ${target.identifier} could not be read. Type the source in by hand.`);
  return target.kind === 'worldcat' ? { ...fields, identifier: target.identifier } : fields;
}
