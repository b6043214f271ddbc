import { useState } from 'preact/hooks';
import type { Json } from '../../editing/change-set';
import type { Conflict, EntityChange, FieldChange } from '../../editing/review';
import { shortId } from '../../api/client';
import { isSkolemId } from '../../editing/change-set';

const FIELD_NAMES: Record<string, string> = {
  label: 'Label',
  language: 'Language',
  localizedLabels: 'Labels by language',
  spatialCoverage: 'Places',
  spatialCoverageDescription: 'Spatial coverage description',
  'start.label': 'Start label',
  'start.in.year': 'Start year',
  'start.in.earliestYear': 'Start, earliest year',
  'start.in.latestYear': 'Start, latest year',
  'stop.label': 'Stop label',
  'stop.in.year': 'Stop year',
  'stop.in.earliestYear': 'Stop, earliest year',
  'stop.in.latestYear': 'Stop, latest year',
  'source.locator': 'Source locator',
  broader: 'Broader period',
  narrower: 'Narrower periods',
  derivedFrom: 'Derived from',
  note: 'Note',
  editorialNote: 'Editorial note',
  'source.title': 'Title',
  'source.partOf.title': 'Title (of the work)',
  'source.creators': 'Creators',
  'source.partOf.creators': 'Creators (of the work)',
  'source.yearPublished': 'Year published',
  'source.partOf.yearPublished': 'Year published (of the work)',
};

export function fieldName(field: string): string {
  if (FIELD_NAMES[field]) return FIELD_NAMES[field];
  const m = /^localizedLabels\.(.+)$/.exec(field);
  if (m) return `Labels in ${m[1]}`;
  return field;
}

/** A field's value for people: text as is, lists of places or people by their names. */
export function showValue(value: Json | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    return value
      .map((v) => (v && typeof v === 'object' && !Array.isArray(v) ? [v.label ?? v.name, v.id ?? v['@id']].filter(Boolean).join(' — ') : showValue(v)))
      .join('; ');
  }
  return JSON.stringify(value);
}

const STATUS_WORD: Record<FieldChange['status'], string> = { added: 'Added', removed: 'Removed', changed: 'Changed' };

function EntityChangeView({ change, conflict, headingLevel }: { change: EntityChange; conflict?: Conflict; headingLevel: 2 | 3 | 4 }) {
  const H = (['h2', 'h3', 'h4'] as const)[headingLevel - 2];
  const conflicting = new Map((conflict?.fields ?? []).map((f) => [f.field, f]));
  // A new entity's id and type say nothing a reader needs: it gets its permanent id at merge.
  const fields = change.status === 'added' ? change.fields.filter((f) => f.field !== 'id' && f.field !== 'type') : change.fields;
  const shownId = isSkolemId(change.id) ? 'new identifier on merge' : shortId(change.id);
  return (
    <section class={`entity-change ${change.status}`} aria-label={`${change.kind} ${change.label}`}>
      <H>
        <span class={`badge ${change.status}`}>{change.status === 'added' ? 'New' : change.status === 'removed' ? 'Removed' : 'Changed'}</span> {change.kind === 'authority' ? 'Authority' : 'Period'}{' '}
        “{change.label}” <span class="meta">{shownId}</span>
      </H>
      {conflict?.entity ? (
        <p class="conflict" role="note">
          Conflict: this {change.kind} has been {conflict.entity === 'removed since' ? 'removed from' : 'added to'} the dataset since the proposal was made.
        </p>
      ) : null}
      {fields.length ? (
        <div class="table-wrap">
          <table class="diff">
            <caption class="visually-hidden">
              Changes to {change.kind} {change.label}, field by field
            </caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Change</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
                {conflict ? <th scope="col">Now in the dataset</th> : null}
              </tr>
            </thead>
            <tbody>
              {fields.map((f) => {
                const clash = conflicting.get(f.field);
                return (
                  <tr key={f.field} class={`${f.status}${clash ? ' conflicting' : ''}`}>
                    <th scope="row">{fieldName(f.field)}</th>
                    <td>
                      {STATUS_WORD[f.status]}
                      {clash ? <strong class="conflict-flag"> · conflict</strong> : null}
                    </td>
                    <td class="before">{f.status === 'added' ? <span class="none">—</span> : <del>{showValue(f.before)}</del>}</td>
                    <td class="after">{f.status === 'removed' ? <span class="none">—</span> : <ins>{showValue(f.after)}</ins>}</td>
                    {conflict ? <td>{clash ? showValue(clash.current) : <span class="none">unchanged</span>}</td> : null}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

/** How many changed entities are drawn at first: a data load can change thousands. */
const FIRST = 40;

/** A before/after view of each changed authority and period, field by field. */
export function ChangeView({ changes, conflicts = [], headingLevel = 3 }: { changes: EntityChange[]; conflicts?: Conflict[]; headingLevel?: 2 | 3 | 4 }) {
  const [all, setAll] = useState(false);
  if (!changes.length) return <p>No authority or period is changed.</p>;
  // Conflicting entities first among those shown, so none is hidden behind "show all".
  const ordered = conflicts.length ? [...changes].sort((a, b) => Number(!conflicts.some((k) => k.id === a.id)) - Number(!conflicts.some((k) => k.id === b.id))) : changes;
  const shown = all ? ordered : ordered.slice(0, FIRST);
  return (
    <div class="changes">
      {ordered.length > shown.length ? (
        <p>
          {ordered.length} authorities and periods are changed; the first {shown.length} are shown.{' '}
          <button type="button" onClick={() => setAll(true)}>
            Show all {ordered.length}
          </button>
        </p>
      ) : null}
      {shown.map((c) => (
        <EntityChangeView key={`${c.kind}:${c.id}`} change={c} conflict={conflicts.find((k) => k.kind === c.kind && k.id === c.id)} headingLevel={headingLevel} />
      ))}
    </div>
  );
}
