/**
 * JSON text as the reference server writes it (Python's json.dumps defaults): `", "` and
 * `": "` separators, members in their stored order, non-ASCII characters as they are.
 * Entities are stored in this form so the dataset streams out by concatenation.
 */
export function pyJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
      return `{${Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${JSON.stringify(k)}: ${pyJson(v)}`)
        .join(', ')}}`;
    default:
      return 'null';
  }
}
