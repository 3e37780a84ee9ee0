import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

/** Whether no service answered, or one was down: worth trying again in a moment. */
export function isUnavailable(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500);
}

/** Announces that something is loading; the skeleton beside it shows where it will appear. */
export function Loading({ what }: { what: string }) {
  return (
    <p role="status" className="visually-hidden">
      Loading {what}…
    </p>
  );
}

function RetryButton({ retry, busy }: { retry: () => void; busy?: boolean | undefined }) {
  return (
    <button type="button" className="btn btn-secondary btn-sm" onClick={retry} disabled={busy}>
      {busy ? 'Trying again…' : 'Try again'}
    </button>
  );
}

/** A failure said plainly, with a way to try again; never a blank page. */
export function ErrorState({
  error,
  retry,
  what,
  busy,
}: {
  error: Error;
  retry?: () => void;
  what: string;
  busy?: boolean;
}) {
  return (
    <div role="alert" className="alert alert-error">
      <p>
        {isUnavailable(error)
          ? `We can't load ${what} right now: the service is unavailable. Please try again in a moment.`
          : `We couldn't load ${what}: ${error.message}`}
      </p>
      {retry ? <RetryButton retry={retry} busy={busy} /> : null}
    </div>
  );
}

/** A refresh that failed while earlier data stays on screen. */
export function StaleNotice({
  what,
  retry,
  busy,
  children,
}: {
  what: string;
  retry: () => void;
  busy?: boolean;
  children?: ReactNode;
}) {
  return (
    <div role="alert" className="alert alert-warning">
      <p>{children ?? `We couldn't refresh ${what}, so what you see may be out of date.`}</p>
      <RetryButton retry={retry} busy={busy} />
    </div>
  );
}

export function Empty({ title, children }: { title?: string; children?: ReactNode }) {
  return (
    <div className="empty">
      {title ? <strong>{title}</strong> : null}
      {children}
    </div>
  );
}

export function SkeletonLines({ count = 3 }: { count?: number }) {
  return (
    <div aria-hidden="true">
      {Array.from({ length: count }, (_, n) => (
        <span key={n} className="skeleton skeleton-line" />
      ))}
    </div>
  );
}
