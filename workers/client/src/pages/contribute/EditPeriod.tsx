import { useState } from 'preact/hooks';
import { shortId } from '../../api/client';
import { useResource } from '../../api/resource';
import { Page } from '../../components/Page';
import { Loaded } from '../../components/Status';
import { PeriodForm } from '../../components/contribute/PeriodForm';
import { dataUrl } from '../../config';
import { draftNotice } from '../../contribute/draft';
import { recordEdit } from '../../contribute/draft-edits';
import { editingContext, periodsOf, type EditingContext } from '../../contribute/editing-context';
import { newSkolemId, type Entity } from '../../editing/change-set';
import { hrefFor, navigate } from '../../router';
import { authorityTitle } from '../../api/names';

function titleOf(authority: Entity): string {
  return authorityTitle(authority as { id: string; source?: { title?: string; partOf?: { title?: string } } });
}

async function load(authorityID: string): Promise<{ context: EditingContext; skolem: string }> {
  const [context, api] = await Promise.all([editingContext(authorityID), dataUrl()]);
  return { context, skolem: newSkolemId(api) };
}

/** `period-edit` (a period of the dataset or of the draft) and `authority-add-period` (a new one). */
export function EditPeriod({ authorityID, periodID }: { authorityID: string; periodID: string | null }) {
  const state = useResource(() => load(authorityID), [authorityID, periodID]);
  const [confirmRemove, setConfirmRemove] = useState(false);
  return (
    <Loaded state={state} what="the period to edit">
      {({ context, skolem }) => {
        const periods = periodsOf(context.current);
        const existing = periodID ? periods.find((p) => p.id === periodID || shortId(String(p.id)) === shortId(periodID)) : undefined;
        if (periodID && !existing) {
          return (
            <Page title="Period not found">
              <p>The authority “{titleOf(context.current)}” has no period {periodID}.</p>
            </Page>
          );
        }
        const original: Entity = existing ?? { id: skolem, type: 'Period' };
        const id = String(original.id);
        const inDataset = ((context.dataset?.periods ?? {}) as Record<string, Entity>)[id];
        const back = existing
          ? hrefFor({ page: 'period-view', authorityID: shortId(authorityID), periodID: shortId(id) })
          : hrefFor({ page: 'authority-view', authorityID: shortId(authorityID) });
        const title = existing ? `Edit “${String(existing.label ?? shortId(id))}”` : 'Add a period';
        const save = async (period: Entity) => {
          if (existing) await recordEdit({ type: 'update-period', authorityId: context.authorityId, id, before: inDataset ?? existing, after: period });
          else await recordEdit({ type: 'add-period', authorityId: context.authorityId, period });
          draftNotice.value = `${existing ? 'Your edit of' : 'The new period'} “${String(period.label)}” is in your draft. Submit the draft when it is complete.`;
          navigate(hrefFor({ page: 'backend-changes' }));
        };
        const remove = async () => {
          await recordEdit({ type: 'remove-period', authorityId: context.authorityId, id, before: inDataset ?? original });
          draftNotice.value = `Removing “${String(original.label)}” is in your draft.`;
          navigate(hrefFor({ page: 'backend-changes' }));
        };
        return (
          <Page title={title}>
            <p class="kind">
              {existing ? 'Period' : 'New period'} in “{titleOf(context.current)}”. Changes go into your draft; nothing is sent until you submit it.
            </p>
            {context.stale ? (
              <p class="status error" role="alert">
                {context.stale} edit(s) in your draft no longer apply to this authority: it has changed since. Review your draft.
              </p>
            ) : null}
            <PeriodForm
              original={original}
              siblings={periods}
              submitLabel={existing ? 'Save to draft' : 'Add to draft'}
              onSave={(p) => void save(p)}
              onCancel={() => navigate(back)}
            />
            {existing ? (
              <section aria-labelledby="remove-period">
                <h2 id="remove-period">Remove this period</h2>
                {confirmRemove ? (
                  <p>
                    Propose removing “{String(original.label)}” from the dataset?{' '}
                    <button type="button" class="danger" onClick={() => void remove()}>
                      Yes, add its removal to my draft
                    </button>{' '}
                    <button type="button" onClick={() => setConfirmRemove(false)}>
                      Keep it
                    </button>
                  </p>
                ) : (
                  <button type="button" onClick={() => setConfirmRemove(true)}>
                    Propose removing this period…
                  </button>
                )}
              </section>
            ) : null}
          </Page>
        );
      }}
    </Loaded>
  );
}
