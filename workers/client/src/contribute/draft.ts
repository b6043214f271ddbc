/**
 * The draft change set, kept in localStorage per data API so it survives reloads and
 * sign-outs, until it is submitted or discarded.
 *
 * Every page restores it and the header counts its edits, so this module stays light: it
 * imports no editing code (adding and removing edits is in draft-edits.ts, which the edit
 * pages load).
 */
import { signal } from '@preact/signals';
import type { ChangeSet } from '../editing/change-set';
import { dataUrl } from '../config';

export const draft = signal<ChangeSet>({ edits: [] });
/** Set while revising an open proposal: the draft will replace that proposal's patch. */
export const revising = signal<string | null>(null);

const key = async () => `periodo-draft ${await dataUrl()}`;

interface Stored {
  changeSet: ChangeSet;
  revising: string | null;
}

export async function restoreDraft(): Promise<void> {
  try {
    const stored = JSON.parse(localStorage.getItem(await key()) ?? 'null') as Stored | null;
    if (stored && Array.isArray(stored.changeSet?.edits)) {
      draft.value = stored.changeSet;
      revising.value = typeof stored.revising === 'string' ? stored.revising : null;
    }
  } catch {
    /* a damaged draft is dropped */
  }
}

export async function saveDraft(): Promise<void> {
  const value: Stored = { changeSet: draft.value, revising: revising.value };
  if (value.changeSet.edits.length === 0 && !value.revising) localStorage.removeItem(await key());
  else localStorage.setItem(await key(), JSON.stringify(value));
}

export async function replaceDraft(changeSet: ChangeSet, revisingUrl: string | null): Promise<void> {
  draft.value = changeSet;
  revising.value = revisingUrl;
  await saveDraft();
}

export async function clearDraft(): Promise<void> {
  await replaceDraft({ edits: [] }, null);
}

/** What the last edit did, shown once on the next page. */
export const draftNotice = signal<string | null>(null);
