/**
 * English names of the languages and scripts PeriodO's labels are mostly in, as the
 * browser's Intl.DisplayNames gives them. The first Intl.DisplayNames a page makes loads the
 * browser's locale data (~45 ms on a period page, before its heading could show); with these
 * the common tags need none of it, and any other tag still gets the browser's name.
 */
const LANGUAGES: Record<string, string> = {
  afr: 'Afrikaans', als: 'Albanian', amh: 'Amharic', ara: 'Arabic', aze: 'Azerbaijani', bel: 'Belarusian', ben: 'Bangla',
  bos: 'Bosnian', bre: 'Breton', bul: 'Bulgarian', cat: 'Catalan', ces: 'Czech', cym: 'Welsh', dan: 'Danish', deu: 'German',
  ell: 'Greek', eng: 'English', epo: 'Esperanto', est: 'Estonian', eus: 'Basque', fas: 'Persian', fin: 'Finnish', fra: 'French',
  gla: 'Scottish Gaelic', gle: 'Irish', glg: 'Galician', grc: 'Ancient Greek', heb: 'Hebrew', hin: 'Hindi', hrv: 'Croatian',
  hun: 'Hungarian', hye: 'Armenian', ind: 'Indonesian', isl: 'Icelandic', ita: 'Italian', jpn: 'Japanese', kat: 'Georgian',
  kaz: 'Kazakh', kor: 'Korean', lat: 'Latin', lav: 'Latvian', lit: 'Lithuanian', ltz: 'Luxembourgish', mkd: 'Macedonian',
  mlt: 'Maltese', msa: 'Malay', nld: 'Dutch', nno: 'Norwegian Nynorsk', nob: 'Norwegian Bokmål', nor: 'Norwegian', oci: 'Occitan',
  pol: 'Polish', por: 'Portuguese', ron: 'Romanian', rus: 'Russian', slk: 'Slovak', slv: 'Slovenian', spa: 'Spanish',
  sqi: 'Albanian', srp: 'Serbian', swa: 'Swahili', swe: 'Swedish', tam: 'Tamil', tha: 'Thai', tur: 'Turkish', ukr: 'Ukrainian',
  urd: 'Urdu', uzb: 'Uzbek', vie: 'Vietnamese', yid: 'Yiddish', zho: 'Chinese',
};

const SCRIPTS: Record<string, string> = {
  arab: 'Arabic', armn: 'Armenian', beng: 'Bangla', cyrl: 'Cyrillic', deva: 'Devanagari', ethi: 'Ethiopic', geor: 'Georgian',
  grek: 'Greek', hans: 'Simplified', hant: 'Traditional', hebr: 'Hebrew', jpan: 'Japanese', kore: 'Korean', latn: 'Latin',
  taml: 'Tamil', thai: 'Thai',
};

/**
 * The name of `language` (with `script`, if given) from the table, for tags written as
 * PeriodO writes them (`eng-latn`); undefined when either part is not in it.
 */
export function knownLanguageName(language: string, script: string | undefined): string | undefined {
  const name = Object.hasOwn(LANGUAGES, language) ? LANGUAGES[language] : undefined;
  if (!name || script === undefined) return name;
  const scriptName = Object.hasOwn(SCRIPTS, script) ? SCRIPTS[script] : undefined;
  return scriptName && `${name} (${scriptName})`;
}

/** Every tag the table names, for the test that checks it against Intl.DisplayNames. */
export const KNOWN = { languages: Object.keys(LANGUAGES), scripts: Object.keys(SCRIPTS) };
