/**
 * Turning a proposal back into a draft, so that an open proposal can be revised with the
 * same forms and then `PUT` as a whole new patch: one edit per entity it changes.
 */
import type { ChangeSet, Edit, Entity } from './change-set';
import { diffFragments, type DatasetFragment } from './review';

function periodOf(fragment: DatasetFragment, authorityId: string, id: string): Entity | undefined {
  const periods = fragment.authorities[authorityId]?.periods as Record<string, Entity> | undefined;
  return periods?.[id];
}

export function editsFromFragments(before: DatasetFragment, after: DatasetFragment): ChangeSet {
  const edits: Edit[] = [];
  const addedAuthorities = new Set<string>();
  for (const change of diffFragments(before, after)) {
    if (change.kind === 'authority') {
      const a = before.authorities[change.id];
      const b = after.authorities[change.id];
      if (!a) {
        addedAuthorities.add(change.id);
        edits.push({ type: 'add-authority', authority: b });
      } else if (!b) edits.push({ type: 'remove-authority', id: change.id, before: a });
      else edits.push({ type: 'update-authority', id: change.id, before: a, after: b });
      continue;
    }
    // The periods of an added or removed authority travel with it.
    if (addedAuthorities.has(change.authorityId) || !after.authorities[change.authorityId]) continue;
    const a = periodOf(before, change.authorityId, change.id);
    const b = periodOf(after, change.authorityId, change.id);
    if (!a && b) edits.push({ type: 'add-period', authorityId: change.authorityId, period: b });
    else if (a && !b) edits.push({ type: 'remove-period', authorityId: change.authorityId, id: change.id, before: a });
    else if (a && b) edits.push({ type: 'update-period', authorityId: change.authorityId, id: change.id, before: a, after: b });
  }
  return { edits };
}
