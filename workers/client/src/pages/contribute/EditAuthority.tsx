import { shortId } from '../../api/client';
import { useResource } from '../../api/resource';
import { Page } from '../../components/Page';
import { Loaded } from '../../components/Status';
import { AuthorityForm } from '../../components/contribute/AuthorityForm';
import { dataUrl } from '../../config';
import { draftNotice } from '../../contribute/draft';
import { recordEdit } from '../../contribute/draft-edits';
import { editingContext } from '../../contribute/editing-context';
import { newSkolemId, type Entity } from '../../editing/change-set';
import { hrefFor, navigate } from '../../router';

async function load(authorityID: string | null) {
  if (!authorityID) return { context: null, original: { id: newSkolemId(await dataUrl()), type: 'Authority' } as Entity };
  const context = await editingContext(authorityID);
  return { context, original: context.current };
}

const withoutPeriods = (a: Entity): Entity => {
  const { periods: _p, ...rest } = a;
  return rest;
};

/** `authority-edit` (its source and editorial note) and `backend-add-authority`. */
export function EditAuthority({ authorityID }: { authorityID: string | null }) {
  const state = useResource(() => load(authorityID), [authorityID]);
  return (
    <Loaded state={state} what="the authority to edit">
      {({ context, original }) => {
        const save = async (authority: Entity) => {
          if (!context) {
            await recordEdit({ type: 'add-authority', authority: { ...authority, periods: {} } });
            draftNotice.value = 'The new authority is in your draft. Add its periods, then submit the draft.';
            navigate(hrefFor({ page: 'authority-add-period', authorityID: String(authority.id) }));
            return;
          }
          await recordEdit({ type: 'update-authority', id: context.authorityId, before: withoutPeriods(context.dataset ?? original), after: withoutPeriods(authority) });
          draftNotice.value = 'Your edit of the authority is in your draft.';
          navigate(hrefFor({ page: 'backend-changes' }));
        };
        return (
          <Page title={context ? 'Edit the authority' : 'Add an authority'}>
            <p class="kind">An authority is a source — a book, an article, a database — and the periods it defines. Changes go into your draft.</p>
            <AuthorityForm
              original={withoutPeriods(original)}
              submitLabel={context ? 'Save to draft' : 'Add to draft and add its periods'}
              onSave={(a) => void save(a)}
              onCancel={() => navigate(context ? hrefFor({ page: 'authority-view', authorityID: shortId(context.authorityId) }) : hrefFor({ page: 'backend-authorities' }))}
            />
          </Page>
        );
      }}
    </Loaded>
  );
}
