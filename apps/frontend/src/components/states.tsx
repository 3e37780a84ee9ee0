import { ApiError } from '../api/client';

export function Loading({ what }: { what: string }) {
  return (
    <p role="status" aria-live="polite" className="state">
      Loading {what}…
    </p>
  );
}

/** A failure said plainly, with a way to try again; never a blank page. */
export function ErrorState({ error, retry, what }: { error: Error; retry?: () => void; what: string }) {
  const unavailable = error instanceof ApiError && (error.status === 0 || error.status >= 500);
  return (
    <div role="alert" className="state error">
      <p>
        {unavailable
          ? `We can't load ${what} right now: the service is unavailable. Please try again in a moment.`
          : `We couldn't load ${what}: ${error.message}`}
      </p>
      {retry ? (
        <button type="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: React.ReactNode }) {
  return <p className="state empty">{children}</p>;
}
