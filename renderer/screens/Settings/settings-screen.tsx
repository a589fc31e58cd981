import { useId, useState } from 'react';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { useForm, type Problems } from '../../components/use-form';
import { fill, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { useCertificatesStore } from '../../stores/certificates-store';
import { useCompositionsStore } from '../../stores/compositions-store';

/** The warning thresholds: each form says what is wrong inside itself, next to the field. */
function Thresholds() {
  const t = useStrings();
  const boot = useAppStore((s) => s.boot);
  const notify = useAppStore((s) => s.notify);
  const updateSettings = useAppStore((s) => s.updateSettings);
  const days = boot?.settings.warnDays ?? [30, 7];
  const [first, setFirst] = useState(String(days[0] ?? 30));
  const [final, setFinal] = useState(String(days[1] ?? 7));
  const form = useForm<'first' | 'final'>({
    labels: { first: t.settings.first, final: t.settings.final },
    paths: { 'warnDays.0': 'first', 'warnDays.1': 'final' },
  });
  const titleId = useId();
  const day = (v: string) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= 365 ? Number(v) : null);
  const check = (): Problems<'first' | 'final'> => {
    const a = day(first);
    const b = day(final);
    return {
      first: a === null ? t.settings.daysRange : undefined,
      final: b === null ? t.settings.daysRange : a !== null && b >= a ? t.settings.daysOrder : undefined,
    };
  };
  const save = async (e: React.FormEvent) => {
    e.preventDefault();
    await form.run(check, async () => {
      await updateSettings({ warnDays: [day(first)!, day(final)!] });
      // the thresholds decide which certificates are expiring: the lists (and the banner) follow
      if (useCertificatesStore.getState().loaded) void useCertificatesStore.getState().load({ quiet: true });
      if (useCompositionsStore.getState().loaded) void useCompositionsStore.getState().load();
      notify(t.settings.saved);
    });
  };
  return (
    <form className="card stack" onSubmit={save} ref={form.ref} noValidate aria-labelledby={titleId}>
      <h2 id={titleId}>{t.settings.thresholds}</h2>
      <Field label={t.settings.first} {...form.field('first')}>
        {(p) => <input {...p} type="number" min={1} max={365} {...form.bind('first', first, setFirst)} />}
      </Field>
      <Field label={t.settings.final} {...form.field('final')}>
        {(p) => <input {...p} type="number" min={1} max={365} {...form.bind('final', final, setFinal)} />}
      </Field>
      <ErrorMessage error={form.general} />
      <button type="submit" disabled={form.busy}>
        {t.common.save}
      </button>
    </form>
  );
}

type PwKey = 'current' | 'next' | 'repeat';

/** Changing the admin password: the current one, the new one twice. */
function AdminPassword() {
  const t = useStrings();
  const notify = useAppStore((s) => s.notify);
  const setAdminPassword = useAppStore((s) => s.setAdminPassword);
  const [v, setV] = useState<Record<PwKey, string>>({ current: '', next: '', repeat: '' });
  const labels = { current: t.settings.current, next: t.settings.newPw, repeat: t.settings.confirmPw };
  const form = useForm<PwKey>({
    labels,
    paths: { currentPassword: 'current', newPassword: 'next' },
    codes: {
      ADMIN_PASSWORD_WRONG: 'current',
      ADMIN_PASSWORD_WEAK: ['next', t.settings.pwTooShort],
    },
  });
  const titleId = useId();
  const set = (k: PwKey) => (e: React.ChangeEvent<HTMLInputElement>) => {
    setV((old) => ({ ...old, [k]: e.target.value }));
    form.clear(k);
  };
  const check = (): Problems<PwKey> => ({
    current: v.current ? undefined : fill(t.fieldIssue.required, { label: labels.current }),
    next: !v.next
      ? fill(t.fieldIssue.required, { label: labels.next })
      : [...v.next].length < 8
        ? t.settings.pwTooShort
        : undefined,
    repeat: v.next && v.repeat !== v.next ? t.settings.pwMismatch : undefined,
  });
  const change = async (e: React.FormEvent) => {
    e.preventDefault();
    await form.run(check, async () => {
      await setAdminPassword(v.next, v.current);
      setV({ current: '', next: '', repeat: '' });
      notify(t.settings.pwChanged);
    });
  };
  const input = (k: PwKey, autoComplete: string) => (
    <Field label={labels[k]} {...form.field(k)}>
      {(p) => <input {...p} type="password" value={v[k]} onChange={set(k)} autoComplete={autoComplete} />}
    </Field>
  );
  return (
    <form className="card stack" onSubmit={change} ref={form.ref} noValidate aria-labelledby={titleId}>
      <h2 id={titleId}>{t.settings.adminPassword}</h2>
      {input('current', 'current-password')}
      {input('next', 'new-password')}
      {input('repeat', 'new-password')}
      <ErrorMessage error={form.general} />
      <button type="submit" disabled={form.busy}>
        {t.settings.changePw}
      </button>
    </form>
  );
}

export function SettingsScreen() {
  const t = useStrings();
  const boot = useAppStore((s) => s.boot);
  const setLanguagePreference = useAppStore((s) => s.setLanguagePreference);
  const langId = useId();
  return (
    <section aria-labelledby="settings-title" className="stack settings">
      <h1 id="settings-title" tabIndex={-1}>
        {t.settings.title}
      </h1>
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
            <option value="en" lang="en">
              English
            </option>
            <option value="ja" lang="ja">
              日本語
            </option>
          </select>
        </div>
      </div>
      <Thresholds />
      <AdminPassword />
    </section>
  );
}
