import { useState } from 'react';
import type { CertificateInfo, CertificateView, PickedFile } from '../../../main/contract';
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { FilePicker } from '../../components/file-picker';
import { useForm, type Problems } from '../../components/use-form';
import { WarningsList } from '../../components/warnings-list';
import { fill, formatDate, formatList, useStrings } from '../../i18n';
import type { Strings } from '../../i18n/strings';
import { useAppStore } from '../../stores/app-store';
import { useCertificatesStore } from '../../stores/certificates-store';

/** As the core accepts a From address (main/core/domain/certificates.ts validateEmail). */
const ADDRESS = /^[^\s@<>()"]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

const plainFingerprint = (fp: string) => fp.replace(/:/g, '').toLowerCase();

export function Inspection({ info }: { info: CertificateInfo }) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  return (
    <section className="inspection" aria-labelledby="inspection-title">
      <h3 id="inspection-title">{t.addCert.inspection}</h3>
      <dl className="facts">
        <dt>{t.addCert.addresses}</dt>
        <dd data-testid="inspect-emails">{formatList(info.emails, lang) || t.common.none}</dd>
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
        <dd>
          <code className="fingerprint small">{info.fingerprintSha256}</code>
        </dd>
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

type Risk = 'same' | 'older' | 'expired';

/** Why a renewal may be a mistake: the very same certificate, one that ends sooner, one already expired. */
export function renewalRisks(current: CertificateView, next: CertificateInfo, now = Date.now()): Risk[] {
  const out: Risk[] = [];
  if (plainFingerprint(current.fingerprintSha256) === plainFingerprint(next.fingerprintSha256)) out.push('same');
  else if (Date.parse(next.notAfter) < Date.parse(current.notAfter)) out.push('older');
  if (Date.parse(next.notAfter) < now) out.push('expired');
  return out;
}

function riskText(t: Strings, r: Risk, current: CertificateView, lang: 'en' | 'ja'): string {
  if (r === 'same') return t.addCert.same;
  if (r === 'older') return fill(t.addCert.older, { date: formatDate(current.notAfter, lang) });
  return t.addCert.expiredNew;
}

/** The registered certificate and the one replacing it, side by side, differences marked. */
function Comparison({ current, next }: { current: CertificateView; next: CertificateInfo }) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const rows: [string, string, string, boolean?][] = [
    [t.addCert.subject, current.subject, next.subject],
    [t.addCert.issuer, current.issuer, next.issuer],
    [t.detail.serial, current.serial, next.serial, true],
    [t.addCert.validFrom, formatDate(current.notBefore, lang), formatDate(next.notBefore, lang)],
    [t.certs.colValidUntil, formatDate(current.notAfter, lang), formatDate(next.notAfter, lang)],
    [t.addCert.fingerprint, current.fingerprintSha256, next.fingerprintSha256, true],
  ];
  return (
    <table className="table compact compare" data-testid="renew-compare">
      <caption>{t.addCert.compare}</caption>
      <thead>
        <tr>
          <td />
          <th scope="col">{t.addCert.current}</th>
          <th scope="col">{t.addCert.replacement}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, a, b, code]) => (
          <tr key={label} className={a === b ? 'same' : 'differs'}>
            <th scope="row">{label}</th>
            <td>{code ? <code className="fingerprint small">{a}</code> : a}</td>
            <td>{code ? <code className="fingerprint small">{b}</code> : b}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Add (or renew) a certificate: address, password, file → inspection → save. Enter moves on
 * (inspects, then saves). Each problem is said next to its field.
 */
export function CertificateDialog({ renewEmail, onClose }: { renewEmail?: string; onClose(): void }) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const { preview, add, renew } = useCertificatesStore();
  const current = useCertificatesStore((s) =>
    renewEmail ? s.list.find((c) => sameAddress(c.email, renewEmail)) : undefined,
  );
  const notify = useAppStore((s) => s.notify);
  const [email, setEmail] = useState(renewEmail ?? '');
  const [password, setPassword] = useState('');
  const [file, setFile] = useState<PickedFile | null>(null);
  const [info, setInfo] = useState<CertificateInfo | null>(null);
  const [accepted, setAccepted] = useState(false);
  const labels = { email: t.addCert.email, password: t.addCert.password, file: t.addCert.file };
  const form = useForm<'email' | 'password' | 'file'>({
    labels,
    paths: { email: 'email', password: 'password', file: 'file' },
    codes: {
      EMAIL_INVALID: ['email', t.addCert.emailInvalid],
      EMAIL_NOT_IN_CERTIFICATE: 'email',
      CERT_EXISTS: 'email',
      CERT_NOT_FOUND: 'email',
      P12_WRONG_PASSWORD: 'password',
      P12_NOT_PKCS12: 'file',
      P12_CORRUPT: 'file',
      P12_NO_KEY: 'file',
      P12_NO_CERTIFICATE: 'file',
      P12_KEY_MISMATCH: 'file',
      P12_UNSUPPORTED: 'file',
      KEY_UNSUPPORTED: 'file',
      FILE_TOO_LARGE: 'file',
      FILE_TOKEN_UNKNOWN: 'file',
    },
  });
  const mismatch = !!info && !!email.trim() && !info.emails.some((e) => sameAddress(e, email));
  const risks = info && current ? renewalRisks(current, info) : [];
  // inspecting needs only the file (it tells which addresses the certificate names); saving needs the address
  const check = (needAddress: boolean) => (): Problems<'email' | 'password' | 'file'> => ({
    email:
      !email.trim() && needAddress
        ? fill(t.fieldIssue.required, { label: labels.email })
        : email.trim() && !ADDRESS.test(email.trim())
          ? t.addCert.emailInvalid
          : undefined,
    file: file ? undefined : t.addCert.fileMissing,
  });

  const inspect = () =>
    form.run(check(false), async () => {
      const found = await preview(file!.file, password);
      setInfo(found);
      setAccepted(false);
      // the one address the certificate names is the address it is for
      if (!email.trim() && found.emails.length === 1) setEmail(found.emails[0]!);
    });
  const save = () =>
    form.run(check(true), async () => {
      const req = { email: email.trim(), file: file!.file, password };
      const view = await (renewEmail ? renew(req) : add(req));
      notify(fill(t.addCert.saved, { email: view.email }));
      onClose();
    });
  const blocked = form.busy || (!!info && (mismatch || (risks.length > 0 && !accepted)));
  const mismatchText =
    mismatch && info
      ? fill(t.addCert.mismatch, { email: email.trim(), list: formatList(info.emails, lang) || t.common.none })
      : null;
  return (
    <Dialog
      title={renewEmail ? fill(t.addCert.titleRenew, { email: renewEmail }) : t.addCert.titleAdd}
      onClose={onClose}
      wide
      onSubmit={() => void (info ? save() : inspect())}
      footer={
        <>
          <button type="button" onClick={onClose}>
            {t.common.cancel}
          </button>
          <button type="submit" className="primary" disabled={blocked}>
            {form.busy
              ? t.common.working
              : !info
                ? t.addCert.inspect
                : renewEmail
                  ? t.addCert.saveRenew
                  : t.addCert.save}
          </button>
        </>
      }
    >
      <div ref={form.ref}>
        <Field label={t.addCert.email} error={mismatchText ?? form.field('email').error}>
          {(p) => (
            <input
              {...p}
              type="email"
              value={email}
              readOnly={!!renewEmail}
              onChange={(e) => {
                setEmail(e.target.value);
                form.clear('email');
              }}
              autoComplete="off"
            />
          )}
        </Field>
        <Field label={t.addCert.password} hint={t.addCert.passwordNote} {...form.field('password')}>
          {(p) => (
            <input
              {...p}
              type="password"
              value={password}
              onChange={(e) => {
                setPassword(e.target.value);
                setInfo(null);
                form.clear('password');
              }}
              autoComplete="off"
            />
          )}
        </Field>
        <FilePicker
          kind="p12"
          label={t.addCert.file}
          value={file}
          error={form.field('file').error}
          onChange={(f) => {
            setFile(f);
            setInfo(null);
            // another file: what was said about the last one, and its password, no longer holds
            form.clear('file');
            form.clear('password');
          }}
        />
        {renewEmail && <p className="muted">{t.addCert.renewNote}</p>}
        <ErrorMessage error={form.general} />
        {risks.length > 0 && current && (
          <div className="warning-box" data-testid="renew-risks">
            <ul>
              {risks.map((r) => (
                <li key={r}>{riskText(t, r, current, lang)}</li>
              ))}
            </ul>
            <label className="check">
              <input type="checkbox" checked={accepted} onChange={(e) => setAccepted(e.target.checked)} />{' '}
              {t.addCert.confirmRisk}
            </label>
          </div>
        )}
        {info && current && <Comparison current={current} next={info} />}
        {info && <Inspection info={info} />}
      </div>
    </Dialog>
  );
}
