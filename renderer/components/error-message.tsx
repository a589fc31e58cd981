import type { UiError } from '../api';
import { errorText } from '../i18n';
import { useAppStore } from '../stores/app-store';

/** An error from main as a person reads it: what happened (in the UI language), then the one-line reason. */
export function ErrorMessage({ error }: { error: UiError | null }) {
  const lang = useAppStore((s) => s.language);
  if (!error) return null;
  return (
    <div className="error" role="alert" data-code={error.code}>
      <strong>{errorText(error.code, lang)}</strong>
      {error.message && <div className="error-detail">{error.message}</div>}
    </div>
  );
}
