import { Page } from '../components/Page';
import { hrefFor, params } from '../router';

export function NotFound() {
  return (
    <Page title="Page not found">
      <p>
        There is no page called “{params.value.get('page')}”. <a href={hrefFor({})}>Find periods</a> instead.
      </p>
    </Page>
  );
}
