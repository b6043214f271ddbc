/**
 * What an edit form starts from: the authority as it is in the dataset now, with the
 * draft's own edits of it applied (so a second edit continues from the first, and periods
 * added in the draft are there to edit or relate to).
 */
import type { Entity } from '../editing/change-set';
import { editOperations, editTarget } from '../editing/change-set';
import { applyToFragment, PatchDoesNotApply, type DatasetFragment } from '../editing/review';
import { authorityAt } from './proposals-api';
import { draft } from './draft';

export interface EditingContext {
  /** The authority's key in the dataset (its id). */
  authorityId: string;
  /** As in the dataset now; null for an authority the draft adds. */
  dataset: Entity | null;
  /** With the draft's edits applied. */
  current: Entity;
  /** Draft edits that no longer apply to the dataset (it changed since). */
  stale: number;
}

export class NotFoundError extends Error {}

export async function editingContext(authorityId: string): Promise<EditingContext> {
  const added = draft.value.edits.find((e) => e.type === 'add-authority' && String(e.authority.id) === authorityId);
  const dataset = added ? null : await authorityAt(authorityId, null);
  if (!added && !dataset) throw new NotFoundError(`There is no authority ${authorityId} in the dataset.`);
  let fragment: DatasetFragment = { authorities: dataset ? { [authorityId]: dataset } : {} };
  let stale = 0;
  for (const edit of draft.value.edits) {
    if (editTarget(edit).authorityId !== authorityId) continue;
    try {
      fragment = applyToFragment(fragment, editOperations(edit));
    } catch (error) {
      if (!(error instanceof PatchDoesNotApply)) throw error;
      stale++;
    }
  }
  const current = fragment.authorities[authorityId];
  if (!current) throw new NotFoundError(`The draft removes authority ${authorityId}.`);
  return { authorityId, dataset, current: { ...current, periods: current.periods ?? {} }, stale };
}

export function periodsOf(authority: Entity): Entity[] {
  return Object.values((authority.periods ?? {}) as Record<string, Entity>);
}
