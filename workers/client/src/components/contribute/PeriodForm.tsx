import { useState } from 'preact/hooks';
import type { Entity } from '../../editing/change-set';
import { bareNumberEra } from '../../editing/date-label';
import { periodToState, stateToPeriod, type PeriodState } from '../../editing/period-form';
import { validatePeriod, type Problem } from '../../editing/validation';
import { shortId } from '../../api/client';
import { FieldError, FormActions, invalid, Problems, useValidatedForm } from './Problems';
import { TerminusFields } from './TerminusFields';

interface Props {
  /** The period as it is now (or `{ id, type }` for a new one). */
  original: Entity;
  /** The other periods of its authority: choices for broader and narrower, and how its plain-number labels count. */
  siblings: Entity[];
  submitLabel: string;
  onSave: (period: Entity) => void;
  onCancel: () => void;
}

function Rows<T extends Record<string, string>>({
  legend,
  rows,
  columns,
  empty,
  addLabel,
  onChange,
  problems,
  field,
}: {
  legend: string;
  rows: T[];
  columns: [keyof T & string, string, string?][];
  empty: T;
  addLabel: string;
  onChange: (rows: T[]) => void;
  problems: Problem[];
  field: string;
}) {
  return (
    <fieldset class="rows" id={`f-${field}`}>
      <legend>{legend}</legend>
      {rows.length === 0 ? <p class="hint">None.</p> : null}
      {rows.map((row, i) => (
        <div class="row-fields" key={i}>
          {columns.map(([key, label, hint]) => (
            <label class="field" key={key}>
              {label} {i + 1} {hint ? <span class="hint">{hint}</span> : null}
              <input value={row[key]} onInput={(e) => onChange(rows.map((r, j) => (j === i ? { ...r, [key]: e.currentTarget.value } : r)))} {...invalid(problems, `${field}.${i}.${key}`)} />
              <FieldError problems={problems} field={`${field}.${i}.${key}`} />
            </label>
          ))}
          <button type="button" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            Remove {legend.toLowerCase().replace(/s$/, '')} {i + 1}
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, { ...empty }])}>
        {addLabel}
      </button>
      <FieldError problems={problems} field={field} />
    </fieldset>
  );
}

/** Every field of a period, validated on save; problems are listed at the top and beside their fields. */
export function PeriodForm({ original, siblings, submitLabel, onSave, onCancel }: Props) {
  const { state, set, problems, attempt, save } = useValidatedForm<PeriodState>(
    () => periodToState(original),
    (s) => stateToPeriod(s, original),
    validatePeriod,
    onSave,
  );
  const era = bareNumberEra(siblings as { start?: unknown; stop?: unknown }[]);
  const others = siblings.filter((p) => p.id !== original.id);
  const labelOf = (p: Entity) => `${String(p.label ?? shortId(String(p.id)))}`;

  return (
    <form class="edit-form" onSubmit={save} noValidate>
      <Problems problems={problems} attempt={attempt} />
      <fieldset>
        <legend>Label</legend>
        <label class="field">
          Label <span class="hint">the period’s name as the source gives it</span>
          <input value={state.label} onInput={(e) => set({ label: e.currentTarget.value })} {...invalid(problems, 'label')} required />
        </label>
        <FieldError problems={problems} field="label" />
        <div class="pair">
          <label class="field">
            Language <span class="hint">ISO 639 code, e.g. eng, fra, deu</span>
            <input value={state.language} onInput={(e) => set({ language: e.currentTarget.value })} {...invalid(problems, 'language')} />
          </label>
          <label class="field">
            Script <span class="hint">ISO 15924 code, e.g. latn, grek, cyrl</span>
            <input value={state.script} onInput={(e) => set({ script: e.currentTarget.value })} id="f-script" />
          </label>
        </div>
        <FieldError problems={problems} field="language" />
      </fieldset>
      <Rows
        legend="Alternate labels"
        field="localizedLabels"
        rows={state.alternates}
        columns={[
          ['tag', 'Language-script of label', 'e.g. fra-latn'],
          ['label', 'Alternate label'],
        ]}
        empty={{ tag: `${state.language}-${state.script}`, label: '' }}
        addLabel="Add an alternate label"
        onChange={(alternates) => set({ alternates })}
        problems={problems}
      />
      <Rows
        legend="Places"
        field="spatialCoverage"
        rows={state.places}
        columns={[
          ['id', 'Place identifier', 'a URL, e.g. http://www.wikidata.org/entity/Q41'],
          ['label', 'Place name'],
        ]}
        empty={{ id: '', label: '' }}
        addLabel="Add a place"
        onChange={(places) => set({ places })}
        problems={problems}
      />
      <label class="field">
        Spatial coverage description <span class="hint">the area as the source describes it</span>
        <input value={state.placeDescription} onInput={(e) => set({ placeDescription: e.currentTarget.value })} id="f-spatialCoverageDescription" />
      </label>
      <TerminusFields which="start" value={state.start} onChange={(start) => set({ start })} era={era} problems={problems} />
      <TerminusFields which="stop" value={state.stop} onChange={(stop) => set({ stop })} era={era} problems={problems} />
      <label class="field">
        Source locator <span class="hint">where in the source, e.g. “page 4”, “table 2”</span>
        <input value={state.locator} onInput={(e) => set({ locator: e.currentTarget.value })} id="f-source-locator" />
      </label>
      <fieldset>
        <legend>Related periods</legend>
        <label class="field">
          Broader period <span class="hint">the period this one is part of</span>
          <select value={state.broader} onChange={(e) => set({ broader: e.currentTarget.value })} id="f-broader">
            <option value="">None</option>
            {state.broader && !others.some((p) => p.id === state.broader) ? <option value={state.broader}>{state.broader}</option> : null}
            {others.map((p) => (
              <option key={String(p.id)} value={String(p.id)}>
                {labelOf(p)}
              </option>
            ))}
          </select>
        </label>
        <fieldset class="checks" id="f-narrower">
          <legend>Narrower periods (the parts of this one)</legend>
          {others.length === 0 ? <p class="hint">This authority has no other periods.</p> : null}
          <ul class="plain checks-list">
            {others.map((p) => (
              <li key={String(p.id)}>
                <label class="field inline">
                  <input
                    type="checkbox"
                    checked={state.narrower.includes(String(p.id))}
                    onChange={(e) =>
                      set({ narrower: e.currentTarget.checked ? [...state.narrower, String(p.id)] : state.narrower.filter((id) => id !== String(p.id)) })
                    }
                  />
                  {labelOf(p)}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <label class="field">
          Derived from <span class="hint">identifiers of periods this one is based on, one per line</span>
          <textarea rows={2} value={state.derivedFrom.join('\n')} onInput={(e) => set({ derivedFrom: e.currentTarget.value.split('\n') })} id="f-derivedFrom" />
        </label>
        <FieldError problems={problems} field="derivedFrom" />
      </fieldset>
      <label class="field">
        Note <span class="hint">from the source</span>
        <textarea rows={3} value={state.note} onInput={(e) => set({ note: e.currentTarget.value })} id="f-note" />
      </label>
      <label class="field">
        Editorial note <span class="hint">by PeriodO’s editors</span>
        <textarea rows={3} value={state.editorialNote} onInput={(e) => set({ editorialNote: e.currentTarget.value })} id="f-editorialNote" />
      </label>
      <FormActions submitLabel={submitLabel} onCancel={onCancel} />
    </form>
  );
}
