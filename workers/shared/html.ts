/** Text for HTML element content and attribute values. */

/**
 * Escapes `&`, `<`, `>`, `"` and `'`: safe in element content and in quoted attributes.
 * A scan rather than a regex replace: large views escape megabytes of mostly plain text.
 */
export function escapeHtml(text: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    let entity: string;
    switch (text.charCodeAt(i)) {
      case 38: entity = '&amp;'; break;
      case 60: entity = '&lt;'; break;
      case 62: entity = '&gt;'; break;
      case 34: entity = '&quot;'; break;
      case 39: entity = '&#39;'; break;
      default: continue;
    }
    out += text.slice(last, i) + entity;
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}
