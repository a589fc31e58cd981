import { useId, useState } from 'react';
import { useAction } from '../../components/use-action';
import { ErrorMessage } from '../../components/error-message';
import { useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';

export function SettingsScreen() {
  const t = useStrings();
  const boot = useAppStore((s) => s.boot);
  const setLanguagePreference = useAppStore((s) => s.setLanguagePreference);
  const notify = useAppStore((s) => s.notify);
  const updateSettings = useAppStore((s) => s.updateSettings);
  const setAdminPassword = useAppStore((s) => s.setAdminPassword);
  const days = boot?.settings.warnDays ?? [30, 7];
  const [first, setFirst] = useState(String(days[0] ?? 30));
  const [final, setFinal] = useState(String(days[1] ?? 7));
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const { error, run } = useAction();
  const langId = useId();
  const firstId = useId();
  const finalId = useId();
  const curId = useId();
  const newId = useId();
  const saveThresholds = async (e: React.FormEvent) => {
    e.preventDefault();
    await run(async () => {
      await updateSettings({ warnDays: [Number(first), Number(final)].filter((n) => Number.isFinite(n) && n > 0) });
      notify(t.settings.saved);
    });
  };
  const changePassword = async (e: React.FormEvent) => {
    e.preventDefault();
    await run(async () => {
      await setAdminPassword(next, current);
      setCurrent('');
      setNext('');
      notify(t.settings.pwChanged);
    });
  };
  return (
    <section aria-labelledby="settings-title" className="stack">
      <h1 id="settings-title">{t.settings.title}</h1>
      <div className="card">
        <div className="field">
          <label htmlFor={langId}>{t.settings.language}</label>
          <select
            id={langId}
            value={boot?.settings.language ?? 'system'}
            onChange={(e) =>
              void setLanguagePreference(e.target.value === 'system' ? null : (e.target.value as 'en' | 'ja'))
            }
          >
            <option value="system">{t.settings.system}</option>
            <option value="en">English</option>
            <option value="ja">日本語</option>
          </select>
        </div>
      </div>
      <form className="card stack" onSubmit={saveThresholds}>
        <h2>{t.settings.thresholds}</h2>
        <div className="field">
          <label htmlFor={firstId}>{t.settings.first}</label>
          <input
            id={firstId}
            type="number"
            min={1}
            max={365}
            value={first}
            onChange={(e) => setFirst(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={finalId}>{t.settings.final}</label>
          <input
            id={finalId}
            type="number"
            min={1}
            max={365}
            value={final}
            onChange={(e) => setFinal(e.target.value)}
          />
        </div>
        <button type="submit">{t.common.save}</button>
      </form>
      <form className="card stack" onSubmit={changePassword}>
        <h2>{t.settings.adminPassword}</h2>
        <div className="field">
          <label htmlFor={curId}>{t.settings.current}</label>
          <input
            id={curId}
            type="password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            autoComplete="current-password"
          />
        </div>
        <div className="field">
          <label htmlFor={newId}>{t.settings.newPw}</label>
          <input
            id={newId}
            type="password"
            value={next}
            onChange={(e) => setNext(e.target.value)}
            autoComplete="new-password"
          />
        </div>
        <button type="submit" disabled={!current || !next}>
          {t.settings.changePw}
        </button>
      </form>
      <ErrorMessage error={error} />
    </section>
  );
}
