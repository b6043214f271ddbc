/**
 * The contribution and review side of the client, end to end in headless Chromium against
 * the local system (fake ORCID sign-in): propose, review, merge, reject, expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, launchChromium, newPage, PHONE, screenshot } from './support/browser.ts';
import { CONTRIBUTOR, EDITOR, expireToken, signIn, storedToken } from './support/contribute.ts';
import { startSystem, type System } from './support/system.ts';

let system: System;
let browser: Browser;
let contributor: { context: BrowserContext; page: Page };
let editor: { context: BrowserContext; page: Page };
const errors: string[] = [];

const at = (query: Record<string, string>) => `${system.client}?${new URLSearchParams(query)}`;

beforeAll(async () => {
  system = await startSystem(['server/test-data.json']);
  browser = await launchChromium();
  contributor = await newPage(browser);
  editor = await newPage(browser);
  for (const { page } of [contributor, editor]) page.on('pageerror', (e) => errors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
  await system?.stop();
});

describe('proposing, reviewing and merging changes', () => {
  it('a contributor signs in, edits a period and adds a new one, and submits them with a comment', async () => {
    const { page } = contributor;
    await page.goto(system.client);
    await signIn(page, CONTRIBUTOR);
    await page.goto(at({ page: 'period-view', authorityID: 'p0trgkv', periodID: 'p0trgkvwbjd' }));
    await page.getByRole('link', { name: 'Edit this period' }).click();
    await page.getByRole('heading', { name: 'Edit “Archaic”' }).waitFor();

    // Typing the stop label fills in its year.
    await page.getByLabel(/^Stop label/).fill('577 B.C.');
    expect(await page.getByLabel(/^Stop year(?!s)/).inputValue()).toBe('-0576');
    await screenshot(page, 'edit-period-form', true);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save to draft' }).click();
    await page.getByRole('heading', { name: 'Your draft changes' }).waitFor();

    // A new period: validation first, then a complete one.
    await page.goto(at({ page: 'authority-view', authorityID: 'p0trgkv' }));
    await page.getByRole('link', { name: 'Add a period to this authority' }).click();
    await page.getByRole('heading', { name: 'Add a period' }).waitFor();
    await page.getByLabel(/^Stop label/).fill('500 B.C.');
    await page.getByLabel(/^Start label/).fill('whenever');
    await page.getByRole('button', { name: 'Add to draft' }).click();
    const problems = page.getByRole('alert').filter({ hasText: 'problems to correct' });
    await problems.waitFor();
    expect(await problems.innerText()).toContain('A period needs a label.');
    expect(await problems.innerText()).toContain('The start needs a year');
    expect(await page.getByLabel(/^Label/).getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize(PHONE);
    await screenshot(page, 'edit-period-form-errors-phone', true);
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.getByLabel(/^Label/).fill('Lydian');
    await page.getByLabel(/^Start label/).fill('early 7th century BC');
    expect(await page.getByLabel(/^Earliest start year/).inputValue()).toBe('-0699');
    expect(await page.getByLabel(/^Latest start year/).inputValue()).toBe('-0666');
    await page.getByLabel(/^Stop label/).fill('546 B.C.');
    await page.getByRole('button', { name: 'Add a place' }).click();
    await page.getByLabel(/^Place identifier 1/).fill('http://www.wikidata.org/entity/Q185199');
    await page.getByLabel(/^Place name 1/).fill('Lydia');
    await page.getByRole('button', { name: 'Add to draft' }).click();
    await page.getByRole('heading', { name: 'Your draft changes' }).waitFor();

    // The draft survives a reload and reads as a diff.
    await page.reload();
    await page.getByText('2 edits, kept in this browser').waitFor();
    const draftText = await page.locator('main').innerText();
    expect(draftText).toContain('Changed Period “Archaic”');
    expect(draftText).toContain('New Period “Lydian”');
    expect(draftText).toMatch(/Stop label\s+Changed\s+547 B\.C\.\s+577 B\.C\./);
    await screenshot(page, 'draft-changes', true);
    expect(await axeViolations(page)).toEqual([]);

    // The comment is required.
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByRole('alert').filter({ hasText: 'Write a comment for the editors' }).waitFor();
    await page.getByLabel(/^Comment for the editors/).fill('The stop of the Archaic is 577 B.C. in the table on p. 4; adds the Lydian period.');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByText('your proposal has been submitted for review').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Proposal No. 2');
    expect(await page.locator('.sign-in').innerText()).toContain('Draft changes (0)');
  });

  it('an editor opens the proposal, sees the diff, comments and merges it', async () => {
    const { page } = editor;
    await page.goto(system.client);
    await signIn(page, EDITOR);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Changes', exact: true }).click();
    await page.getByRole('heading', { name: 'Proposed changes' }).waitFor();
    const list = page.locator('table.proposals');
    await list.waitFor();
    expect(await list.innerText()).toContain('The stop of the Archaic is 577 B.C.');
    expect(await page.getByRole('status').filter({ hasText: 'newest first' }).innerText()).toBe('Open proposals 1–1, newest first (2 proposals in all).');
    await screenshot(page, 'proposals-list', true);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'No. 2' }).click();
    await page.getByRole('heading', { name: 'Proposal No. 2' }).waitFor();
    await page.getByText('Mergeable.').waitFor();
    const archaic = page.getByRole('region', { name: 'period Archaic' });
    expect(await archaic.innerText()).toMatch(/Stop label\s+Changed\s+547 B\.C\.\s+577 B\.C\./);
    expect(await archaic.innerText()).toMatch(/Stop year\s+Changed\s+-0546\s+-0576/);
    const lydian = page.getByRole('region', { name: 'period Lydian' });
    expect(await lydian.innerText()).toMatch(/Places\s+Added\s+—\s+Lydia — http:\/\/www.wikidata.org\/entity\/Q185199/);
    await page.getByText('Show the JSON Patch').click();
    expect(await page.locator('pre.patch').innerText()).toContain('"path": "/authorities/p0trgkv/periods/p0trgkvwbjd/stop/label"');
    await screenshot(page, 'review-diff', true);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('Add a comment').fill('Checked against the source: fine.');
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.locator('.comments').getByText('Checked against the source: fine.').waitFor();

    await page.getByRole('button', { name: 'Merge…' }).click();
    await page.getByText('Merge this proposal into the dataset?').waitFor();
    await page.getByRole('button', { name: 'Yes, merge' }).click();
    await page.getByText('Merged: the changes are now part of the dataset.').waitFor();
    await page.locator('.badge.merged').first().waitFor();
  });

  it('the period page shows the new values and the history lists the change', async () => {
    const { page } = editor;
    await page.getByRole('link', { name: 'Archaic' }).first().click();
    await page.getByRole('heading', { name: 'Archaic', level: 1 }).waitFor();
    expect(await page.locator('main').innerText()).toContain('“577 B.C.”');
    await page.goto(at({ page: 'authority-view', authorityID: 'p0trgkv' }));
    await page.getByRole('link', { name: 'Lydian' }).waitFor();
    await page.goto(at({ page: 'backend-history' }));
    await page.getByRole('link', { name: 'Change 2' }).waitFor();
    expect(await page.locator('main').innerText()).toContain('The stop of the Archaic is 577 B.C.');
  });

  it('a second proposal is rejected and shows as rejected to its author', async () => {
    await contributor.page.goto(at({ page: 'period-edit', authorityID: 'p0trgkv', periodID: 'p0trgkvkhrv' }));
    await contributor.page.getByLabel(/^Note/).fill('An Iron Age note nobody asked for.');
    await contributor.page.getByRole('button', { name: 'Save to draft' }).click();
    await contributor.page.getByLabel(/^Comment for the editors/).fill('Adds a note.');
    await contributor.page.getByRole('button', { name: 'Submit for review' }).click();
    await contributor.page.getByRole('heading', { name: 'Proposal No. 3' }).waitFor();
    // The contributor may not merge.
    expect(await contributor.page.getByRole('button', { name: 'Merge…' }).count()).toBe(0);

    await editor.page.goto(at({ page: 'review-patch', patchURL: `${system.data}patches/3/` }));
    await editor.page.getByRole('heading', { name: 'Proposal No. 3' }).waitFor();
    await editor.page.getByRole('button', { name: 'Reject…' }).click();
    await editor.page.getByRole('button', { name: 'Yes, reject' }).click();
    await editor.page.getByText('Rejected.', { exact: true }).waitFor();

    await contributor.page.goto(at({ page: 'backend-patches', mine: '1' }));
    const card = contributor.page.locator('.proposal-card').filter({ hasText: 'Proposal No. 3' });
    await card.waitFor();
    expect(await card.locator('.badge').innerText()).toBe('Rejected');
    expect(await contributor.page.locator('.proposal-card').filter({ hasText: 'Proposal No. 2' }).locator('.badge').innerText()).toBe('Merged');
    expect(await card.innerText()).toContain('Adds a note.');
  });

  it('a proposal overtaken by a merge shows its conflicts, and its author revises it', async () => {
    // The contributor proposes a new stop for Herakleid…
    await contributor.page.goto(at({ page: 'period-edit', authorityID: 'p0trgkv', periodID: 'p0trgkv4kxb' }));
    await contributor.page.getByLabel(/^Stop label/).fill('681 B.C.');
    await contributor.page.getByRole('button', { name: 'Save to draft' }).click();
    await contributor.page.getByLabel(/^Comment for the editors/).fill('Herakleid ends in 681 B.C.');
    await contributor.page.getByRole('button', { name: 'Submit for review' }).click();
    await contributor.page.getByRole('heading', { name: 'Proposal No. 4' }).waitFor();

    // …while an editor proposes and merges another one.
    const { page } = editor;
    await page.goto(at({ page: 'period-edit', authorityID: 'p0trgkv', periodID: 'p0trgkv4kxb' }));
    await page.getByLabel(/^Stop label/).fill('679 B.C.');
    await page.getByRole('button', { name: 'Save to draft' }).click();
    await page.getByLabel(/^Comment for the editors/).fill('Herakleid ends in 679 B.C.');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await page.getByRole('heading', { name: 'Proposal No. 5' }).waitFor();
    await page.getByRole('button', { name: 'Merge…' }).click();
    await page.getByRole('button', { name: 'Yes, merge' }).click();
    await page.getByText('Merged: the changes are now part of the dataset.').waitFor();

    await page.goto(at({ page: 'review-patch', patchURL: `${system.data}patches/4/` }));
    const since = page.getByRole('region', { name: 'Against the current dataset' });
    await since.waitFor();
    expect(await since.innerText()).toContain('Period “Herakleid”: Stop year, Stop label');
    const herakleid = page.getByRole('region', { name: 'period Herakleid' });
    expect(await herakleid.innerText()).toMatch(/Stop label\s+Changed · conflict\s+680 B\.C\.\s+681 B\.C\.\s+679 B\.C\./);
    await screenshot(page, 'review-conflict', true);
    expect(await axeViolations(page)).toEqual([]);

    // The author revises it to agree with what was merged: no conflict remains.
    await contributor.page.reload();
    await contributor.page.getByRole('button', { name: 'Revise this proposal' }).click();
    await contributor.page.getByRole('heading', { name: 'Revise your proposal' }).waitFor();
    await contributor.page.getByRole('link', { name: 'Edit again' }).click();
    expect(await contributor.page.getByLabel(/^Stop label/).inputValue()).toBe('681 B.C.');
    await contributor.page.getByLabel(/^Stop label/).fill('679 B.C.');
    await contributor.page.getByLabel(/^Note/).fill('chronological table on p. 4 (revised)');
    await contributor.page.getByRole('button', { name: 'Save to draft' }).click();
    await contributor.page.getByLabel(/^Comment/).fill('Agreed: 679 B.C.; the note names the table.');
    await contributor.page.getByRole('button', { name: 'Save the revision' }).click();
    await contributor.page.getByText('Your proposal has been revised.').waitFor();
    // A revision is made against the dataset as it is now: it applies, and only the note differs.
    await contributor.page.getByText('Mergeable.').waitFor();
    expect(await contributor.page.getByRole('region', { name: 'Against the current dataset' }).count()).toBe(0);
    const revised = await contributor.page.getByRole('region', { name: 'period Herakleid' }).innerText();
    expect(revised).toMatch(/Note\s+Changed\s+chronological table on p\. 4\s+chronological table on p\. 4 \(revised\)/);
    expect(revised).not.toContain('Stop label');
    expect(await contributor.page.locator('.comments').innerText()).toContain('Agreed: 679 B.C.; the note names the table.');
  });

  it('adds an authority and a period to it in one draft', async () => {
    const { page } = contributor;
    await page.goto(at({ page: 'backend-authorities' }));
    await page.getByRole('link', { name: 'Add an authority' }).click();
    await page.getByRole('heading', { name: 'Add an authority' }).waitFor();
    await page.getByRole('button', { name: 'Add to draft and add its periods' }).click();
    await page.getByRole('alert').filter({ hasText: 'The source needs a title or a citation.' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel(/^Title/).fill('A chronology of Lydia');
    await page.getByRole('button', { name: 'Add a creator' }).click();
    await page.getByLabel(/^Name of creator 1/).fill('Roosevelt, Christopher H.');
    await page.getByLabel(/^Year published/).fill('2009');
    await page.getByRole('button', { name: 'Add to draft and add its periods' }).click();
    await page.getByRole('heading', { name: 'Add a period' }).waitFor();
    await page.getByLabel(/^Label/).fill('Mermnad');
    await page.getByLabel(/^Start label/).fill('c. 680 BC');
    await page.getByLabel(/^Stop label/).fill('546 BC');
    await page.getByRole('button', { name: 'Add to draft' }).click();
    await page.getByText('2 edits, kept in this browser').waitFor();
    const text = await page.locator('main').innerText();
    expect(text).toContain('New Authority “A chronology of Lydia”');
    expect(text).toMatch(/Creators\s+Added\s+—\s+Roosevelt, Christopher H\./);
    expect(text).toMatch(/Start year\s+Added\s+—\s+-0679/);
    await page.getByText('Show the JSON Patch').click();
    const patch = JSON.parse(await page.locator('pre.patch').innerText()) as { op: string; path: string }[];
    expect(patch.map((op) => op.op)).toEqual(['add', 'add']);
    expect(patch[0].path).toMatch(/^\/authorities\/http:~1~1localhost:\d+~1\.well-known~1genid~1[0-9a-f]{32}$/);
    expect(patch[1].path.startsWith(`${patch[0].path}/periods/`)).toBe(true);
    await page.getByRole('button', { name: 'Discard the draft' }).click();
    await page.getByText('Your draft is empty.').waitFor();
  });

  it('an expired token signs the person out with a message', async () => {
    const { page } = contributor;
    await expireToken(system, CONTRIBUTOR, await storedToken(page, system));
    await page.reload();
    const notice = page.getByRole('alert').filter({ hasText: 'Your sign-in has expired or was revoked' });
    await notice.waitFor();
    await page.getByRole('banner').getByRole('button', { name: 'Sign in with ORCID' }).waitFor();
    expect(await storedToken(page, system).catch(() => null)).toBeNull();
    expect(errors).toEqual([]);
  });
});
