import type { ReactNode } from 'react';
import { useId } from 'react';

interface CommonProps {
  label: string;
  name: string;
  error?: string | undefined;
  hint?: string | undefined;
  required?: boolean;
  className?: string;
}

interface FieldProps extends CommonProps {
  type?: string;
  value: string;
  onChange: (value: string) => void;
  autoComplete?: string;
  inputMode?: 'numeric' | 'decimal' | 'text' | 'email';
  multiline?: boolean;
  placeholder?: string;
}

function describedBy(id: string, hint?: string, error?: string): string | undefined {
  return [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
}

function Messages({
  id,
  hint,
  error,
}: {
  id: string;
  hint?: string | undefined;
  error?: string | undefined;
}) {
  return (
    <>
      {hint ? (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      ) : null}
      {error ? (
        <small id={`${id}-error`} className="field-error" role="alert">
          {error}
        </small>
      ) : null}
    </>
  );
}

/** A labelled input whose error is tied to it (aria-invalid, aria-describedby) and shown beside it. */
export function Field({
  label,
  name,
  type = 'text',
  value,
  onChange,
  error,
  hint,
  autoComplete,
  required,
  inputMode,
  multiline,
  placeholder,
  className,
}: FieldProps) {
  const id = useId();
  const common = {
    id,
    name,
    value,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy(id, hint, error),
    required,
    placeholder,
  };
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea
          {...common}
          className="textarea"
          rows={3}
          onChange={(event) => onChange(event.target.value)}
        />
      ) : (
        <input
          {...common}
          className="input"
          type={type}
          onChange={(event) => onChange(event.target.value)}
          autoComplete={autoComplete}
          inputMode={inputMode}
        />
      )}
      <Messages id={id} hint={hint} error={error} />
    </div>
  );
}

/** A labelled select, with the same error and hint wiring as Field. */
export function SelectField({
  label,
  name,
  value,
  onChange,
  error,
  hint,
  required,
  className,
  children,
}: CommonProps & { value: string; onChange: (value: string) => void; children: ReactNode }) {
  const id = useId();
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        className="select"
        value={value}
        required={required}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        onChange={(event) => onChange(event.target.value)}
      >
        {children}
      </select>
      <Messages id={id} hint={hint} error={error} />
    </div>
  );
}
