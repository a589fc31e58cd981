import { useId, useState } from 'react';
import type { CertificateInfo, PickedFile } from '../../../main/contract';
import { useAction } from '../../components/use-action';
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { FilePicker } from '../../components/file-picker';
import { WarningsList } from '../../components/warnings-list';
import { fill, formatDate, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { useCertificatesStore } from '../../stores/certificates-store';

function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

export function Inspection({ info }: { info: CertificateInfo }) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  return (
    <section className="inspection" aria-label={t.addCert.inspection}>
      <h3>{t.addCert.inspection}</h3>
      <dl>
        <dt>{t.addCert.addresses}</dt>
        <dd data-testid="inspect-emails">{info.emails.join(', ') || t.common.none}</dd>
        <dt>{t.addCert.subject}</dt>
        <dd>{info.subject}</dd>
        <dt>{t.addCert.issuer}</dt>
        <dd>{info.issuer}</dd>
        <dt>{t.addCert.validity}</dt>
        <dd>
          {formatDate(info.notBefore, lang, true)} – {formatDate(info.notAfter, lang, true)}
        </dd>
        <dt>{t.addCert.key}</dt>
        <dd>
          {info.keyType} {info.keyBits}
          {info.curve ? ` (${info.curve})` : ''}
        </dd>
        <dt>{t.addCert.fingerprint}</dt>
        <dd className="mono small">{info.fingerprintSha256}</dd>
        <dt>{t.addCert.chain}</dt>
        <dd>
          {info.chain.length === 0
            ? t.addCert.noChain
            : info.chain.map((c) => <div key={c.fingerprintSha256}>{c.subject}</div>)}
        </dd>
        <dt>{t.addCert.tested}</dt>
        <dd>{info.testedIssuer ?? t.addCert.untested}</dd>
      </dl>
      <h4>{t.addCert.warnings}</h4>
      <WarningsList warnings={info.warnings} />
    </section>
  );
}

/** Add (or renew) a certificate: address, password, file → inspection → save. */
export function CertificateDialog({ renewEmail, onClose }: { renewEmail?: string; onClose(): void }) {
  const t = useStrings();
  const { preview, add, renew } = useCertificatesStore();
  const notify = useAppStore((s) => s.notify);
  const [email, setEmail] = useState(renewEmail ?? '');
  const [password, setPassword] = useState('');
  const [file, setFile] = useState<PickedFile | null>(null);
  const [info, setInfo] = useState<CertificateInfo | null>(null);
  const { busy, error, run } = useAction();
  const emailId = useId();
  const pwId = useId();
  const mismatch = info && email.trim() && !info.emails.some((e) => sameAddress(e, email));

  const inspect = async () => {
    if (!file) return;
    setInfo(null);
    await run(async () => setInfo(await preview(file.file, password)));
  };
  const save = async () => {
    if (!file) return;
    await run(async () => {
      const req = { email: email.trim(), file: file.file, password };
      const view = await (renewEmail ? renew(req) : add(req));
      notify(fill(t.addCert.saved, { email: view.email }));
      onClose();
    });
  };
  return (
    <Dialog
      title={renewEmail ? fill(t.addCert.titleRenew, { email: renewEmail }) : t.addCert.titleAdd}
      onClose={onClose}
      wide
      footer={
        <>
          <button type="button" onClick={onClose}>
            {t.common.cancel}
          </button>
          <button type="button" onClick={inspect} disabled={!file || busy}>
            {t.addCert.inspect}
          </button>
          <button
            type="button"
            className="primary"
            onClick={save}
            disabled={!info || !!mismatch || !email.trim() || busy}
          >
            {renewEmail ? t.addCert.saveRenew : t.addCert.save}
          </button>
        </>
      }
    >
      <div className="field">
        <label htmlFor={emailId}>{t.addCert.email}</label>
        <input
          id={emailId}
          type="email"
          value={email}
          readOnly={!!renewEmail}
          onChange={(e) => setEmail(e.target.value)}
          autoComplete="off"
        />
      </div>
      <div className="field">
        <label htmlFor={pwId}>{t.addCert.password}</label>
        <input
          id={pwId}
          type="password"
          value={password}
          onChange={(e) => {
            setPassword(e.target.value);
            setInfo(null);
          }}
          autoComplete="off"
          aria-describedby={`${pwId}-note`}
        />
        <span id={`${pwId}-note`} className="muted small">
          {t.addCert.passwordNote}
        </span>
      </div>
      <FilePicker
        kind="p12"
        label={t.addCert.file}
        value={file}
        onChange={(f) => {
          setFile(f);
          setInfo(null);
        }}
      />
      {renewEmail && <p className="muted">{t.addCert.renewNote}</p>}
      <ErrorMessage error={error} />
      {mismatch && info && (
        <div className="error" role="alert" data-code="EMAIL_NOT_IN_CERTIFICATE">
          {fill(t.addCert.mismatch, { email: email.trim(), list: info.emails.join(', ') || t.common.none })}
        </div>
      )}
      {info && <Inspection info={info} />}
    </Dialog>
  );
}
