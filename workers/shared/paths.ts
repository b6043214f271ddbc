/** Request paths: percent-decoding that never throws on malformed input. */

/** `decodeURIComponent`, or null when the text holds a malformed escape (`%ff`, `%`, `%zz`). */
export function decodePathText(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
