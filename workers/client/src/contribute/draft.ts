/**
 * The draft change set, kept in localStorage per data API so it survives reloads and
 * sign-outs, until it is submitted or discarded.
 */
import { signal } from '@preact/signals';
import { addEdit, emptyChangeSet, removeEdit, type ChangeSet, type Edit } from '../editing/change-set';
import { dataUrl } from '../config';

export const draft = signal<ChangeSet>(emptyChangeSet());
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

async function save(): Promise<void> {
  const value: Stored = { changeSet: draft.value, revising: revising.value };
  if (value.changeSet.edits.length === 0 && !value.revising) localStorage.removeItem(await key());
  else localStorage.setItem(await key(), JSON.stringify(value));
}

export async function recordEdit(edit: Edit): Promise<void> {
  draft.value = addEdit(draft.value, edit);
  await save();
}

export async function dropEdit(index: number): Promise<void> {
  draft.value = removeEdit(draft.value, index);
  await save();
}

export async function replaceDraft(changeSet: ChangeSet, revisingUrl: string | null): Promise<void> {
  draft.value = changeSet;
  revising.value = revisingUrl;
  await save();
}

export async function clearDraft(): Promise<void> {
  await replaceDraft(emptyChangeSet(), null);
}

/** What the last edit did, shown once on the next page. */
export const draftNotice = signal<string | null>(null);
