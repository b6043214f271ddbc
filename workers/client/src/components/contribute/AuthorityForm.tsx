import { useState } from 'preact/hooks';
import type { Entity } from '../../editing/change-set';
import { authorityToState, stateToAuthority, type AgentState, type AuthorityState } from '../../editing/authority-form';
import { lookupTarget } from '../../editing/source-lookup';
import { validateAuthority } from '../../editing/validation';
import { lookUpSource } from '../../contribute/lookup';
import { FieldError, FormActions, invalid, Problems, useValidatedForm } from './Problems';

function Agents({ legend, rows, onChange }: { legend: string; rows: AgentState[]; onChange: (rows: AgentState[]) => void }) {
  const singular = legend.replace(/s$/, '').toLowerCase();
  return (
    <fieldset class="rows">
      <legend>{legend}</legend>
      {rows.map((row, i) => (
        <div class="row-fields" key={i}>
          <label class="field">
            Name of {singular} {i + 1}
            <input value={row.name} onInput={(e) => onChange(rows.map((r, j) => (j === i ? { ...r, name: e.currentTarget.value } : r)))} />
          </label>
          <label class="field">
            Identifier of {singular} {i + 1} <span class="hint">optional URL (VIAF, ORCID)</span>
            <input value={row.id} onInput={(e) => onChange(rows.map((r, j) => (j === i ? { ...r, id: e.currentTarget.value } : r)))} />
          </label>
          <button type="button" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            Remove {singular} {i + 1}
          </button>
        </div>
      ))}
      <button type="button" onClick={() => onChange([...rows, { name: '', id: '' }])}>
        Add a {singular}
      </button>
    </fieldset>
  );
}

/** An authority's source, typed in or looked up from a DOI or WorldCat URL (through the CORS proxy). */
export function AuthorityForm({ original, submitLabel, onSave, onCancel }: { original: Entity; submitLabel: string; onSave: (a: Entity) => void; onCancel: () => void }) {
  const { state, setState, set, problems, attempt, save } = useValidatedForm<AuthorityState>(
    () => authorityToState(original),
    (s) => stateToAuthority(s, original),
    validateAuthority,
    onSave,
  );
  const [lookup, setLookup] = useState('');
  const [lookupStatus, setLookupStatus] = useState<string>('');

  const runLookup = async () => {
    const target = lookupTarget(lookup);
    if (!target) {
      setLookupStatus('Enter a DOI (such as 10.1017/S0003598X00047815) or a WorldCat URL (such as https://www.worldcat.org/oclc/36343383).');
      return;
    }
    setLookupStatus('Looking up…');
    try {
      const fields = await lookUpSource(target);
      setState((s) => ({ ...s, ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== '' && !(Array.isArray(v) && !v.length))) }));
      setLookupStatus(`Filled in from ${target.kind === 'doi' ? 'Crossref' : 'WorldCat'}: check the fields below.`);
    } catch (error) {
      setLookupStatus(error instanceof Error ? error.message : String(error));
    }
  };

  return (
    <form class="edit-form" onSubmit={save} noValidate>
      <Problems problems={problems} attempt={attempt} />
      <fieldset>
        <legend>Look up the source</legend>
        <label class="field">
          DOI or WorldCat URL
          <input value={lookup} onInput={(e) => setLookup(e.currentTarget.value)} aria-describedby="lookup-status" id="f-lookup" />
        </label>
        <p>
          <button type="button" onClick={() => void runLookup()}>
            Look up
          </button>
        </p>
        <p class="hint" id="lookup-status" role="status">
          {lookupStatus}
        </p>
      </fieldset>
      <fieldset id="f-source">
        <legend>Source</legend>
        <FieldError problems={problems} field="source" />
        <label class="field">
          Title
          <input value={state.title} onInput={(e) => set({ title: e.currentTarget.value })} {...invalid(problems, 'source.title')} />
        </label>
        <FieldError problems={problems} field="source.title" />
        <Agents legend="Creators" rows={state.creators} onChange={(creators) => set({ creators })} />
        <Agents legend="Contributors" rows={state.contributors} onChange={(contributors) => set({ contributors })} />
        <label class="field">
          Year published
          <input inputMode="numeric" value={state.yearPublished} onInput={(e) => set({ yearPublished: e.currentTarget.value })} {...invalid(problems, 'source.yearPublished')} />
        </label>
        <FieldError problems={problems} field="source.yearPublished" />
        <label class="field">
          Identifier <span class="hint">the work’s URL at WorldCat, DOI or elsewhere</span>
          <input value={state.identifier} onInput={(e) => set({ identifier: e.currentTarget.value })} {...invalid(problems, 'source.id')} />
        </label>
        <FieldError problems={problems} field="source.id" />
        <label class="field">
          Web address <span class="hint">where to read it online, if anywhere</span>
          <input value={state.url} onInput={(e) => set({ url: e.currentTarget.value })} {...invalid(problems, 'source.url')} />
        </label>
        <FieldError problems={problems} field="source.url" />
        <label class="field">
          Abstract
          <textarea rows={3} value={state.abstract} onInput={(e) => set({ abstract: e.currentTarget.value })} id="f-abstract" />
        </label>
        <label class="field">
          Locator <span class="hint">where in the source the periods are, e.g. “pages 4–9”</span>
          <input value={state.locator} onInput={(e) => set({ locator: e.currentTarget.value })} id="f-locator" />
        </label>
      </fieldset>
      <label class="field">
        Editorial note
        <textarea rows={3} value={state.editorialNote} onInput={(e) => set({ editorialNote: e.currentTarget.value })} id="f-authority-editorialNote" />
      </label>
      <FormActions submitLabel={submitLabel} onCancel={onCancel} />
    </form>
  );
}
