/**
 * Language names on the period and search pages: the common tags are named from a small
 * table (no Intl.DisplayNames, whose first use loads the browser's locale data before the
 * heading can show), with exactly the names Intl.DisplayNames gives; other tags still get
 * the name Intl.DisplayNames gives, and tags it does not know stay as written.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KNOWN } from '../../../workers/client/src/pages/languageNames';
import { languageName } from '../../../workers/client/src/pages/periodData';

const names = new Intl.DisplayNames(['en'], { type: 'language' });
const scripts = new Intl.DisplayNames(['en'], { type: 'script' });
const intlName = (lang: string, script?: string) =>
  script ? `${names.of(lang)} (${scripts.of(script[0].toUpperCase() + script.slice(1))})` : names.of(lang);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('language names', () => {
  it('names every tag of the table as Intl.DisplayNames does, with and without a script', () => {
    for (const lang of KNOWN.languages) {
      expect(languageName(lang), lang).toBe(intlName(lang));
      for (const script of KNOWN.scripts) expect(languageName(`${lang}-${script}`), `${lang}-${script}`).toBe(intlName(lang, script));
    }
    expect(languageName('eng-latn')).toBe('English (Latin)');
    expect(languageName('ukr-cyrl')).toBe('Ukrainian (Cyrillic)');
  });

  it('needs no Intl.DisplayNames for the languages PeriodO’s labels are mostly in', async () => {
    // A fresh module: nothing named or cached yet.
    vi.resetModules();
    const fresh = await import('../../../workers/client/src/pages/periodData');
    const made = vi.spyOn(Intl, 'DisplayNames');
    const tags = ['eng-latn', 'nld-latn', 'spa-latn', 'swe-latn', 'ukr-cyrl', 'als-latn', 'fra-latn', 'ita-latn', 'deu-latn', 'ell-grek', 'zho-hans'];
    expect(tags.map(fresh.languageName)).toEqual(tags.map((t) => intlName(t.split('-')[0], t.split('-')[1])));
    expect(made).not.toHaveBeenCalled();
    // The spy sees a construction where the table has no name.
    fresh.languageName('haw');
    expect(made).toHaveBeenCalled();
    // Written otherwise than PeriodO writes tags: the browser's answer, as before.
    expect(fresh.languageName('ENG-LATN')).toBe('English');
  });

  it('asks Intl.DisplayNames for any other tag, and keeps a tag nobody can name as written', () => {
    expect(languageName('haw-latn')).toBe(intlName('haw', 'latn'));
    expect(languageName('eng-brai')).toBe(intlName('eng', 'brai'));
    expect(languageName('qqq')).toBe('qqq');
    expect(languageName('eng-1')).toBe('eng-1');
  });
});
