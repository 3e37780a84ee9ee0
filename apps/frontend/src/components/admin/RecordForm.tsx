import { useEffect, useRef, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { ApiError } from '../../api/client';

/** Messages by form field: `{ price: 'Enter a price such as 12.50…' }`. */
export type Errors = Record<string, string>;

/** For each field the service may refuse (by its name in the API): the form field, and what to say. */
export type FieldMessages = Record<string, { field: string; message: string }>;

/**
 * A refused save in plain words: each field the API names gets the form's own message for it
 * (its `fields` entry), anything else a message for the whole form.
 */
export function plainErrors(error: unknown, messages: FieldMessages): { fields: Errors; message?: string } {
  if (!(error instanceof ApiError)) return { fields: {}, message: String(error) };
  if (error.status !== 400) return { fields: {}, message: error.message };
  const fields: Errors = {};
  const other: string[] = [];
  for (const [path, text] of Object.entries(error.fieldErrors())) {
    const known = messages[path] ?? messages[path.split('.')[0] ?? ''];
    if (known) fields[known.field] ??= known.message;
    else other.push(path ? `${path} ${text}` : text);
  }
  const noFields = Object.keys(fields).length === 0 && other.length === 0;
  return {
    fields,
    ...(other.length > 0 || noFields
      ? { message: `The changes were not saved: ${other.join('; ') || error.message}.` }
      : {}),
  };
}

export function FormError({ message }: { message: string | undefined }) {
  return message ? (
    <p role="alert" className="alert alert-error">
      {message}
    </p>
  ) : null;
}

/** Sets one of the form's values: `set('price')('12.50')`. */
export type SetValue<Values> = <Key extends keyof Values>(key: Key) => (value: Values[Key]) => void;

/** What the fields of a form get to show and change. */
export interface FieldsProps<Entry, Values> {
  values: Values;
  set: SetValue<Values>;
  errors: Errors;
  /** The record being edited; none for a new one. */
  record: Entry | undefined;
}

/** How one kind of record is edited: its form's values, checks, fields, and how it is saved. */
export interface RecordFormSpec<Entry, Values> {
  /** The form's values for a record, or for a new one. */
  values: (record?: Entry) => Values;
  /** The service's own checks, made before anything is sent: form field -> message. */
  check: (values: Values) => Errors;
  /** Creates a record from the values, or with `record` updates it; answers the saved record. */
  save: (values: Values, record?: Entry) => Promise<Entry>;
  /** The messages for the fields the service names when it refuses a save. */
  messages: FieldMessages;
  /** Field errors for a refusal that is not about a field's format (a code another record uses). */
  refusal?: (error: unknown) => Errors | undefined;
  /** The form's fields, laid out in its grid. */
  fields: (props: FieldsProps<Entry, Values>) => ReactNode;
}

/**
 * The form that creates or edits a record: checks the values before sending them, then shows the
 * service's refusals next to their fields in plain words, or above the buttons when no field fits.
 */
export function RecordForm<Entry, Values>({
  spec,
  record,
  label,
  submitLabel,
  onSaved,
  onCancel,
}: {
  spec: RecordFormSpec<Entry, Values>;
  record: Entry | undefined;
  /** The form's accessible name: "New item", "Edit Kettle". */
  label: string;
  submitLabel: string;
  onSaved: (saved: Entry) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState(() => spec.values(record));
  const [errors, setErrors] = useState<Errors>({});
  const [message, setMessage] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  // Counts refused saves: after each, focus goes to the first field in error.
  const [refusals, setRefusals] = useState(0);
  const form = useRef<HTMLFormElement>(null);
  const set: SetValue<Values> = (key) => (value) => setValues((current) => ({ ...current, [key]: value }));

  // The submit button is at the end of a form that may scroll (a dialog on a phone): the messages
  // appear above it, out of sight. Focus and bring into view the first field in error, label first.
  useEffect(() => {
    const first = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (!first) return;
    first.focus({ preventScroll: true });
    (first.closest('.field') ?? first).scrollIntoView?.({ block: 'nearest' });
  }, [refusals]);

  const refuse = (fields: Errors) => {
    setErrors(fields);
    setRefusals((count) => count + 1);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = spec.check(values);
    setMessage(undefined);
    if (Object.keys(found).length > 0) {
      refuse(found);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      onSaved(await spec.save(values, record));
    } catch (error) {
      const refused = spec.refusal?.(error);
      if (refused) {
        refuse(refused);
      } else {
        const result = plainErrors(error, spec.messages);
        refuse(result.fields);
        setMessage(result.message);
      }
      setBusy(false);
    }
  };

  return (
    <form ref={form} onSubmit={(event) => void submit(event)} noValidate aria-label={label}>
      <div className="form-grid">{spec.fields({ values, set, errors, record })}</div>
      <FormError message={message} />
      <div className="form-actions">
        <button type="submit" className="btn" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
        <button type="button" className="btn btn-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
