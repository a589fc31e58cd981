import { useState } from 'react';
import { ConfirmedSecret, confirmationProblem } from '../../components/confirmed-secret';
import { ErrorMessage } from '../../components/error-message';
import { useForm } from '../../components/use-form';
import { useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';

export function FirstRunScreen() {
  const t = useStrings();
  const setAdminPassword = useAppStore((s) => s.setAdminPassword);
  const [value, setValue] = useState<[string, string]>(['', '']);
  const form = useForm<'first' | 'second'>({
    labels: { first: t.firstRun.password, second: t.firstRun.confirm },
    paths: { newPassword: 'first' },
    codes: { ADMIN_PASSWORD_WEAK: ['first', t.firstRun.tooShort] },
  });
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const p = confirmationProblem(value[0], value[1], 8);
    await form.run(
      () => ({
        first: p === 'too-short' ? t.firstRun.tooShort : undefined,
        second: p === 'mismatch' ? t.firstRun.mismatch : undefined,
      }),
      () => setAdminPassword(value[0]),
    );
  };
  return (
    <main className="first-run">
      <form onSubmit={submit} className="card narrow" ref={form.ref} noValidate>
        <h1>{t.firstRun.title}</h1>
        <p>{t.firstRun.intro}</p>
        <ConfirmedSecret
          label={t.firstRun.password}
          repeatLabel={t.firstRun.confirm}
          value={value}
          onChange={(v) => {
            setValue(v);
            form.clear();
          }}
          errors={{ first: form.field('first').error, second: form.field('second').error }}
        />
        <ErrorMessage error={form.general} />
        <button type="submit" className="primary" disabled={form.busy}>
          {form.busy ? t.common.working : t.firstRun.submit}
        </button>
      </form>
    </main>
  );
}
