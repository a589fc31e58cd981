import { useEffect, useId, useRef, useState } from 'react';
import type { CertificateView } from '../../../main/contract';
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { useForm } from '../../components/use-form';
import { fill, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { useCertificatesStore } from '../../stores/certificates-store';

/**
 * Deleting a certificate. What still uses it is said first, read afresh from main (a reflection
 * may have changed it): while anything does, the password field and the button stay disabled,
 * with links to the compositions to fix. Only then is the admin password asked.
 */
export function DeleteDialog({ cert, onClose }: { cert: CertificateView; onClose(): void }) {
  const t = useStrings();
  const go = useAppStore((s) => s.go);
  const notify = useAppStore((s) => s.notify);
  const removeCertificate = useCertificatesStore((s) => s.remove);
  const refresh = useCertificatesStore((s) => s.refresh);
  const live = useCertificatesStore((s) => s.list.find((c) => c.id === cert.id)) ?? cert;
  const [checking, setChecking] = useState(true);
  const [password, setPassword] = useState('');
  const blockedId = useId();
  const form = useForm<'password'>({
    labels: { password: t.deleteCert.adminPassword },
    paths: { adminPassword: 'password' },
    codes: { ADMIN_PASSWORD_WRONG: 'password', ADMIN_PASSWORD_NOT_SET: 'password' },
  });
  useEffect(() => {
    let cancelled = false;
    refresh(cert.email)
      .catch(() => undefined)
      .finally(() => {
        if (!cancelled) setChecking(false);
      });
    return () => {
      cancelled = true;
    };
  }, [cert.email, refresh]);
  const checked = live.usedBy;
  const reflected = live.reflectedIn.filter((n) => !checked.includes(n));
  const blocked = checked.length > 0 || reflected.length > 0;
  const boxRef = useRef<HTMLDivElement>(null);
  // main's fresh answer may block what the list allowed: focus goes to the first way out, not to nowhere
  useEffect(() => {
    const a = document.activeElement;
    if (
      blocked &&
      (!a || a === document.body || a.getAttribute('role') === 'dialog' || (a as HTMLInputElement).disabled)
    )
      boxRef.current?.querySelector<HTMLElement>('button')?.focus();
  }, [blocked]);
  const remove = () =>
    form.run(
      () => ({ password: password ? undefined : fill(t.fieldIssue.required, { label: t.deleteCert.adminPassword }) }),
      async () => {
        await removeCertificate(cert.email, password);
        notify(fill(t.deleteCert.done, { email: cert.email }));
        onClose();
      },
    );
  const link = (name: string) => (
    <button
      type="button"
      className="link"
      onClick={() => {
        onClose();
        go('compositions', name);
      }}
    >
      {fill(t.deleteCert.goTo, { name })}
    </button>
  );
  return (
    <Dialog
      title={fill(t.deleteCert.title, { email: cert.email })}
      onClose={onClose}
      onSubmit={() => void (!blocked && !checking && remove())}
      footer={
        <>
          <button type="button" onClick={onClose}>
            {t.common.cancel}
          </button>
          <button type="submit" className="danger" disabled={blocked || checking || form.busy}>
            {t.deleteCert.confirm}
          </button>
        </>
      }
    >
      <div ref={form.ref}>
        {checking && (
          <p className="muted" role="status">
            {t.deleteCert.checking}
          </p>
        )}
        {blocked && (
          <div className="warning-box" data-testid="in-use" id={blockedId} ref={boxRef}>
            <p>{t.deleteCert.blocked}</p>
            <ul>
              {checked.map((name) => (
                <li key={`c-${name}`}>
                  {fill(t.deleteCert.blockedChecked, { name })} {link(name)}
                </li>
              ))}
              {reflected.map((name) => (
                <li key={`r-${name}`}>
                  {fill(t.deleteCert.blockedReflected, { name })} {link(name)}
                </li>
              ))}
            </ul>
            <p className="small">{t.deleteCert.passwordLocked}</p>
          </div>
        )}
        <p>{t.deleteCert.warning}</p>
        <Field label={t.deleteCert.adminPassword} {...form.field('password')}>
          {(p) => (
            <input
              {...p}
              aria-describedby={
                [p['aria-describedby'], blocked ? blockedId : undefined].filter(Boolean).join(' ') || undefined
              }
              type="password"
              value={password}
              disabled={blocked}
              onChange={(e) => {
                setPassword(e.target.value);
                form.clear('password');
              }}
              autoComplete="current-password"
            />
          )}
        </Field>
        <ErrorMessage error={form.general} />
      </div>
    </Dialog>
  );
}
