import { useId, useState } from 'react';
import type { CertificateView } from '../../../main/contract';
import { useAction } from '../../components/use-action';
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { fill, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { useCertificatesStore } from '../../stores/certificates-store';

export function DeleteDialog({ cert, onClose }: { cert: CertificateView; onClose(): void }) {
  const t = useStrings();
  const go = useAppStore((s) => s.go);
  const notify = useAppStore((s) => s.notify);
  const removeCertificate = useCertificatesStore((s) => s.remove);
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const id = useId();
  const remove = () =>
    run(async () => {
      await removeCertificate(cert.email, password);
      notify(fill(t.deleteCert.done, { email: cert.email }));
      onClose();
    });
  return (
    <Dialog
      title={fill(t.deleteCert.title, { email: cert.email })}
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            {t.common.cancel}
          </button>
          <button type="button" className="danger" onClick={remove} disabled={!password || busy}>
            {t.deleteCert.confirm}
          </button>
        </>
      }
    >
      {cert.usedBy.length > 0 && (
        <div className="warning-box" data-testid="in-use">
          <p>{t.deleteCert.inUse}</p>
          <ul>
            {cert.usedBy.map((name) => (
              <li key={name}>
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    go('compositions', name);
                    onClose();
                  }}
                >
                  {fill(t.deleteCert.goTo, { name })}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <p>{t.deleteCert.warning}</p>
      <div className="field">
        <label htmlFor={id}>{t.deleteCert.adminPassword}</label>
        <input
          id={id}
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
        />
      </div>
      <ErrorMessage error={error} />
    </Dialog>
  );
}
