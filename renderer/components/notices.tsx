import { useAppStore } from '../stores/app-store';
import { errorText, useStrings } from '../i18n';

export function Notices() {
  const notices = useAppStore((s) => s.notices);
  const dismiss = useAppStore((s) => s.dismiss);
  const lang = useAppStore((s) => s.language);
  const t = useStrings();
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.kind}`} data-code={n.error?.code}>
          <div>
            {n.error ? <strong>{errorText(n.error.code, lang)}</strong> : null}
            <div>{n.text}</div>
          </div>
          <button type="button" className="icon" onClick={() => dismiss(n.id)} aria-label={t.common.dismiss}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
