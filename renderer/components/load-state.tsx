import type { UiError } from '../api';
import { useStrings } from '../i18n';
import { ErrorMessage } from './error-message';

/**
 * What a list shows until it is read: "Loading…", or, when the read failed, why, with a way to
 * try again, never a "Loading…" that stays forever.
 */
export function LoadState({ text, error, onRetry }: { text: string; error: UiError | null; onRetry(): void }) {
  const t = useStrings();
  if (error) {
    return (
      <div className="loading-state" data-testid="load-failed">
        <ErrorMessage error={error} />
        <button type="button" onClick={onRetry}>
          {t.common.retry}
        </button>
      </div>
    );
  }
  return (
    <p className="loading-state" role="status" aria-busy="true">
      {text}
    </p>
  );
}
