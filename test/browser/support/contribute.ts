/** Signing in through the local fake ORCID, and operator actions, for contribution tests. */
import type { Page } from 'playwright-core';
import { ADMIN_TOKEN, type System } from './system.ts';

export const CONTRIBUTOR = { orcid: '0000-0000-0000-0001', name: 'Dev Contributor' };
export const EDITOR = { orcid: '0000-0000-0000-0002', name: 'Dev Editor' };

/** Clicks "Sign in with ORCID", chooses the person in the popup, and waits for the header to name them. */
export async function signIn(page: Page, who: { name: string }): Promise<void> {
  const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Sign in with ORCID' }).first().click()]);
  await popup.getByRole('button', { name: `Sign in as ${who.name}` }).click();
  await popup.waitForEvent('close');
  await page.locator('.sign-in').getByText(`Signed in as ${who.name}`).waitFor();
}

/** The bearer token the client keeps for this data API. */
export async function storedToken(page: Page, system: System): Promise<string> {
  const session = await page.evaluate((key) => localStorage.getItem(key), `periodo-session ${system.data}`);
  return (JSON.parse(session ?? 'null') as { token: string }).token;
}

/** Makes a user's token expire, as the operator CLI's `users add --expires-in=-3600` does. */
export async function expireToken(system: System, who: { orcid: string; name: string }, bearer: string): Promise<void> {
  const response = await fetch(new URL(`admin/users/${who.orcid}`, system.worker.url), {
    method: 'PUT',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: who.name, token: Buffer.from(bearer, 'base64').toString('utf8'), expiresIn: -3600 }),
  });
  if (!response.ok) throw new Error(`expiring the token failed: ${response.status} ${await response.text()}`);
}
