import { useState } from 'react';
import { ConfirmedSecret, confirmationProblem } from '../../components/confirmed-secret';
import { ErrorMessage } from '../../components/error-message';
import { useAction } from '../../components/use-action';
import { useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';

export function FirstRunScreen() {
  const t = useStrings();
  const setAdminPassword = useAppStore((s) => s.setAdminPassword);
  const [value, setValue] = useState<[string, string]>(['', '']);
  const [problem, setProblem] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const p = confirmationProblem(value[0], value[1], 8);
    setProblem(p === 'too-short' ? t.firstRun.tooShort : p === 'mismatch' ? t.firstRun.mismatch : null);
    if (p) return;
    await run(async () => {
      await setAdminPassword(value[0]);
    });
  };
  return (
    <main className="first-run">
      <form onSubmit={submit} className="card narrow">
        <h1>{t.firstRun.title}</h1>
        <p>{t.firstRun.intro}</p>
        <ConfirmedSecret
          label={t.firstRun.password}
          repeatLabel={t.firstRun.confirm}
          value={value}
          onChange={setValue}
        />
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
