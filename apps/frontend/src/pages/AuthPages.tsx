import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { ApiError } from '../api/client';
import { Field } from '../components/Field';
import { PageHeading, useTitle } from '../components/page';
import { useSession } from '../state/session';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The same rules the auth service applies, checked before sending so mistakes show at once. */
export function validateCredentials(
  email: string,
  password: string,
  registering: boolean,
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!EMAIL.test(email.trim())) errors.email = 'Enter an email address, like name@example.com.';
  if (registering && password.length < 10) errors.password = 'Use at least 10 characters.';
  else if (!password) errors.password = 'Enter your password.';
  if (password.length > 128) errors.password = 'Use at most 128 characters.';
  return errors;
}

function useCredentialsForm(registering: boolean) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent, action: () => Promise<void>) => {
    event.preventDefault();
    setFormError(undefined);
    const found = validateCredentials(email, password, registering);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      await action();
    } catch (error) {
      if (error instanceof ApiError && error.status === 400) setErrors(error.fieldErrors());
      else setFormError(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  return { email, setEmail, password, setPassword, errors, formError, busy, submit };
}

type CredentialsFormState = ReturnType<typeof useCredentialsForm>;

/** Email and password, the form's own error, and the submit button; `children` come first. */
function CredentialsForm(props: {
  form: CredentialsFormState;
  action: () => Promise<void>;
  passwordAutoComplete: 'current-password' | 'new-password';
  passwordHint?: string;
  submitLabel: string;
  busyLabel: string;
  children?: React.ReactNode;
}) {
  const { form } = props;
  return (
    <form noValidate onSubmit={(event) => void form.submit(event, props.action)}>
      {props.children}
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        value={form.email}
        onChange={form.setEmail}
        error={form.errors.email}
        required
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete={props.passwordAutoComplete}
        {...(props.passwordHint ? { hint: props.passwordHint } : {})}
        value={form.password}
        onChange={form.setPassword}
        error={form.errors.password}
        required
      />
      {form.formError ? (
        <p role="alert" className="alert alert-error">
          {form.formError}
        </p>
      ) : null}
      <button type="submit" className="btn btn-block" disabled={form.busy}>
        {form.busy ? props.busyLabel : props.submitLabel}
      </button>
    </form>
  );
}

export function LoginPage() {
  const { login } = useSession();
  const [, navigate] = useLocation();
  const form = useCredentialsForm(false);
  const registered = new URLSearchParams(useSearch()).has('registered');
  useTitle('Log in');
  return (
    <section aria-labelledby="login-title" className="form-page card panel">
      <PageHeading id="login-title">Log in</PageHeading>
      {registered ? (
        <p role="status" className="alert alert-success">
          Your account is ready. Log in to continue.
        </p>
      ) : null}
      <CredentialsForm
        form={form}
        action={async () => {
          await login(form.email.trim(), form.password);
          navigate('/');
        }}
        passwordAutoComplete="current-password"
        submitLabel="Log in"
        busyLabel="Logging in…"
      />
      <p className="form-page-switch">
        New here? <Link to="/register">Create an account</Link>
      </p>
    </section>
  );
}

export function RegisterPage() {
  const { register } = useSession();
  const [, navigate] = useLocation();
  const form = useCredentialsForm(true);
  const [name, setName] = useState('');
  useTitle('Create an account');
  return (
    <section aria-labelledby="register-title" className="form-page card panel">
      <PageHeading id="register-title">Create an account</PageHeading>
      <CredentialsForm
        form={form}
        action={async () => {
          try {
            await register(form.email.trim(), form.password, name.trim() || undefined);
          } catch (error) {
            if (error instanceof ApiError && error.code === 'EMAIL_TAKEN') {
              throw new ApiError(400, error.code, error.message, [
                { path: 'email', message: 'An account with this email already exists.' },
              ]);
            }
            throw error;
          }
          navigate('/login?registered');
        }}
        passwordAutoComplete="new-password"
        passwordHint="At least 10 characters."
        submitLabel="Create account"
        busyLabel="Creating your account…"
      >
        <Field label="Name (optional)" name="name" autoComplete="name" value={name} onChange={setName} />
      </CredentialsForm>
      <p className="form-page-switch">
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}
