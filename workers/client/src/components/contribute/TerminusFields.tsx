import { useState } from 'preact/hooks';
import type { BareNumberEra } from '../../editing/date-label';
import { yearsFromLabel, type TerminusState } from '../../editing/period-form';
import type { Problem } from '../../editing/validation';
import { FieldError, fieldId, invalid } from './Problems';

/** Start or stop: its label, and the years it names (filled in from the label as it is typed, always editable). */
export function TerminusFields({
  which,
  value,
  onChange,
  era,
  problems,
}: {
  which: 'start' | 'stop';
  value: TerminusState;
  onChange: (value: TerminusState) => void;
  era: BareNumberEra;
  problems: Problem[];
}) {
  const name = which === 'start' ? 'Start' : 'Stop';
  const [typed, setTyped] = useState(false);
  const parsed = value.label.trim() ? yearsFromLabel(value.label, { bareNumbers: era }) : null;
  const onLabel = (label: string) => {
    setTyped(true);
    const years = yearsFromLabel(label, { bareNumbers: era });
    onChange(years ? { ...value, label, ...years } : { ...value, label });
  };
  const hint = `${fieldId(which)}-hint`;
  return (
    <fieldset class="terminus" id={fieldId(which)} aria-describedby={problems.some((p) => p.field === which) ? `${fieldId(which)}-error` : undefined}>
      <legend>{name}</legend>
      <FieldError problems={problems} field={which} />
      <label class="field">
        {name} label <span class="hint">as the source gives it, e.g. “616 B.C.”, “3rd century AD”</span>
        <input value={value.label} onInput={(e) => onLabel(e.currentTarget.value)} {...invalid(problems, `${which}.label`, hint)} />
      </label>
      <FieldError problems={problems} field={`${which}.label`} />
      <p class="hint" id={hint} aria-live="polite">
        {typed && value.label.trim() ? (parsed ? 'Years filled in from the label; you can change them.' : 'No years could be read from this label: enter them below.') : ''}
      </p>
      <div class="segmented" role="radiogroup" aria-label={`${name} years`}>
        <label class="field inline">
          <input type="radio" name={`${which}-mode`} checked={value.mode === 'year'} onChange={() => onChange({ ...value, mode: 'year' })} /> One year
        </label>
        <label class="field inline">
          <input type="radio" name={`${which}-mode`} checked={value.mode === 'range'} onChange={() => onChange({ ...value, mode: 'range' })} /> Earliest – latest
        </label>
      </div>
      {value.mode === 'year' ? (
        <label class="field">
          {name} year <span class="hint">negative before year 1: 616 B.C. is -0615</span>
          <input inputMode="numeric" value={value.year} onInput={(e) => onChange({ ...value, year: e.currentTarget.value })} {...invalid(problems, `${which}.in`)} />
        </label>
      ) : (
        <div class="year-range">
          <label class="field">
            Earliest {which} year
            <input inputMode="numeric" value={value.earliest} onInput={(e) => onChange({ ...value, earliest: e.currentTarget.value })} {...invalid(problems, `${which}.in`)} />
          </label>
          <label class="field">
            Latest {which} year
            <input inputMode="numeric" value={value.latest} onInput={(e) => onChange({ ...value, latest: e.currentTarget.value })} id={`${fieldId(`${which}.in`)}-latest`} />
          </label>
        </div>
      )}
      <FieldError problems={problems} field={`${which}.in`} />
    </fieldset>
  );
}
