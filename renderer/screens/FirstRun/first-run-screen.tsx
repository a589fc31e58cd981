import { useId, useState } from 'react';
import { api, toUiError, unwrap, type UiError } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';

export function FirstRunScreen() {
  const t = useStrings();
  const init = useAppStore((s) => s.init);
  const [pw, setPw] = useState('');
  const [pw2, setPw2] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [busy, setBusy] = useState(false);
  const id1 = useId();
  const id2 = useId();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    if ([...pw].length < 8) return setProblem(t.firstRun.tooShort);
    if (pw !== pw2) return setProblem(t.firstRun.mismatch);
    setProblem(null);
    setBusy(true);
    try {
      await unwrap(api().setAdminPassword({ newPassword: pw }));
      await init();
    } catch (err) {
      setError(toUiError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="first-run">
      <form onSubmit={submit} className="card narrow">
        <h1>{t.firstRun.title}</h1>
        <p>{t.firstRun.intro}</p>
        <div className="field">
          <label htmlFor={id1}>{t.firstRun.password}</label>
          <input id={id1} type="password" autoComplete="new-password" value={pw} onChange={(e) => setPw(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={id2}>{t.firstRun.confirm}</label>
          <input id={id2} type="password" autoComplete="new-password" value={pw2} onChange={(e) => setPw2(e.target.value)} />
        </div>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t.common.working : t.firstRun.submit}
        </button>
      </form>
    </main>
  );
}
