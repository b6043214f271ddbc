import { useEffect, useRef, useState } from 'preact/hooks';
import type { Entity } from '../../editing/change-set';
import type { Problem } from '../../editing/validation';

/** The form element id of a validation field: `start.in` → `f-start-in`. */
export const fieldId = (field: string) => `f-${field.replace(/[^A-Za-z0-9]+/g, '-')}`;

/** Problems named in a form's own words, at the top, each linking to its field; focused when shown. */
export function Problems({ problems, attempt }: { problems: Problem[]; attempt: number }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (problems.length) ref.current?.focus();
  }, [attempt]);
  if (!problems.length) return null;
  return (
    <div class="problems" role="alert" tabIndex={-1} ref={ref} aria-labelledby="problems-title">
      <h2 id="problems-title">
        {problems.length === 1 ? 'There is 1 problem to correct' : `There are ${problems.length} problems to correct`}
      </h2>
      <ul>
        {problems.map((p, i) => (
          <li key={i}>
            <a href={`#${fieldId(p.field)}`}>{p.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The messages of one field (shown under it and tied to it by aria-describedby). */
export function FieldError({ problems, field, prefix = false }: { problems: Problem[]; field: string; prefix?: boolean }) {
  const mine = problems.filter((p) => p.field === field || (prefix && p.field.startsWith(`${field}.`)));
  if (!mine.length) return null;
  return (
    <span class="field-error" id={`${fieldId(field)}-error`}>
      {mine.map((p) => p.message).join(' ')}
    </span>
  );
}

/** aria attributes of an input that may have problems. */
export function invalid(problems: Problem[], field: string, hint?: string) {
  const bad = problems.some((p) => p.field === field);
  const describedBy = [hint, bad ? `${fieldId(field)}-error` : null].filter(Boolean).join(' ');
  return { id: fieldId(field), 'aria-invalid': bad ? ('true' as const) : undefined, 'aria-describedby': describedBy || undefined };
}

/**
 * A form's state and its save: the state is turned into an entity, validated, and handed to
 * `onSave` only when nothing is wrong; each attempt refocuses the problem list.
 */
export function useValidatedForm<S>(initial: () => S, toEntity: (state: S) => Entity, validate: (entity: Entity) => Problem[], onSave: (entity: Entity) => void) {
  const [state, setState] = useState<S>(initial);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [attempt, setAttempt] = useState(0);
  const set = (changes: Partial<S>) => setState((s) => ({ ...s, ...changes }));
  const save = (event: Event) => {
    event.preventDefault();
    const entity = toEntity(state);
    const found = validate(entity);
    setProblems(found);
    setAttempt((n) => n + 1);
    if (!found.length) onSave(entity);
  };
  return { state, setState, set, problems, attempt, save };
}

/** A form's submit and cancel buttons. */
export function FormActions({ submitLabel, onCancel }: { submitLabel: string; onCancel: () => void }) {
  return (
    <p class="actions">
      <button type="submit" class="primary">
        {submitLabel}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </p>
  );
}
