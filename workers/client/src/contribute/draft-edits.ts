/** Adding an edit to the draft and taking one out (kept apart from draft.ts, which every page loads). */
import { addEdit, removeEdit, type Edit } from '../editing/change-set';
import { draft, saveDraft } from './draft';

export async function recordEdit(edit: Edit): Promise<void> {
  draft.value = addEdit(draft.value, edit);
  await saveDraft();
}

export async function dropEdit(index: number): Promise<void> {
  draft.value = removeEdit(draft.value, index);
  await saveDraft();
}
