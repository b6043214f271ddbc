import { shortId } from '../../api/client';
import { hrefFor } from '../../router';

/** Ways into the edit forms from an authority or period page (edits go to the draft; submitting needs sign-in). */
export function EditLinks({ authorityId, periodId }: { authorityId: string; periodId?: string }) {
  const authorityID = shortId(authorityId);
  return (
    <ul class="edit-links plain" aria-label="Propose changes">
      {periodId ? (
        <li>
          <a href={hrefFor({ page: 'period-edit', authorityID, periodID: shortId(periodId) })}>Edit this period</a>
        </li>
      ) : (
        <li>
          <a href={hrefFor({ page: 'authority-edit', authorityID })}>Edit this authority</a>
        </li>
      )}
      <li>
        <a href={hrefFor({ page: 'authority-add-period', authorityID })}>Add a period to this authority</a>
      </li>
    </ul>
  );
}
