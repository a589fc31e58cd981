import { useRef } from 'react';
import type { CertificateDetail } from '../../../main/contract';
import { Dialog } from '../../components/dialog';
import { StatusBadge } from '../../components/status-badge';
import { WarningsList } from '../../components/warnings-list';
import { fill, formatDate, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';

/** A fingerprint short enough for a table cell: its first and last bytes. */
function shortFingerprint(fp: string): string {
  return fp.length > 24 ? `${fp.slice(0, 11)}…${fp.slice(-8)}` : fp;
}

/** One certificate: its facts, chain, warnings, the compositions that use it and its history. */
export function CertificateDetailDialog({
  detail,
  onClose,
  onRenew,
  onDelete,
}: {
  detail: CertificateDetail;
  onClose(): void;
  onRenew(): void;
  onDelete(): void;
}) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const go = useAppStore((s) => s.go);
  const c = detail.certificate;
  const closeRef = useRef<HTMLButtonElement>(null);
  const open = (name: string) => {
    onClose();
    go('compositions', name);
  };
  return (
    <Dialog
      title={fill(t.detail.title, { email: c.email })}
      onClose={onClose}
      wide
      testId="certificate-detail"
      initialFocus={closeRef}
      footer={
        <>
          <button type="button" className="danger" onClick={onDelete}>
            {t.detail.delete}
          </button>
          <button type="button" onClick={onRenew}>
            {t.detail.renew}
          </button>
          <button type="button" className="primary" onClick={onClose} ref={closeRef}>
            {t.common.close}
          </button>
        </>
      }
    >
      <section aria-labelledby="detail-overview">
        <h3 id="detail-overview">{t.detail.overview}</h3>
        <dl className="facts">
          <dt>{t.detail.address}</dt>
          <dd>{c.email}</dd>
          <dt>{t.detail.status}</dt>
          <dd>
            <StatusBadge status={c.status} daysLeft={c.daysLeft} threshold={c.threshold} />
          </dd>
          <dt>{t.addCert.subject}</dt>
          <dd>{c.subject}</dd>
          <dt>{t.addCert.issuer}</dt>
          <dd>{c.issuer}</dd>
          <dt>{t.addCert.validity}</dt>
          <dd>
            {formatDate(c.notBefore, lang, true)} – {formatDate(c.notAfter, lang, true)}
          </dd>
          <dt>{t.addCert.key}</dt>
          <dd>
            {c.keyType} {c.keyBits}
          </dd>
          <dt>{t.detail.serial}</dt>
          <dd>
            <code className="fingerprint">{c.serial}</code>
          </dd>
          <dt>{t.addCert.fingerprint}</dt>
          <dd>
            <code className="fingerprint" data-testid="detail-sha256">
              {c.fingerprintSha256}
            </code>
          </dd>
          <dt>{t.detail.sha1}</dt>
          <dd>
            <code className="fingerprint">{detail.chain[0]?.fingerprintSha1 ?? '—'}</code>
          </dd>
        </dl>
      </section>
      <section aria-labelledby="detail-chain">
        <h3 id="detail-chain">{t.detail.chain}</h3>
        {detail.chain.length === 0 ? (
          <p className="muted">{t.detail.chainEmpty}</p>
        ) : (
          <>
            <p className="muted small">{t.detail.chainNote}</p>
            <ol className="chain" data-testid="detail-chain">
              {detail.chain.map((x) => (
                <li key={x.fingerprintSha256}>
                  <div>{x.subject}</div>
                  <div className="muted small">
                    {t.addCert.issuer}: {x.issuer} · {fill(t.detail.validUntil, { date: formatDate(x.notAfter, lang) })}
                  </div>
                  <code className="fingerprint small">{x.fingerprintSha256}</code>
                </li>
              ))}
            </ol>
          </>
        )}
      </section>
      <section aria-labelledby="detail-warnings">
        <h3 id="detail-warnings">{t.detail.warnings}</h3>
        <WarningsList warnings={c.warnings} />
      </section>
      <section aria-labelledby="detail-uses" data-testid="detail-uses">
        <h3 id="detail-uses">{t.detail.uses}</h3>
        {c.usedBy.length === 0 && c.reflectedIn.length === 0 ? (
          <p className="muted">{t.detail.noUses}</p>
        ) : (
          <dl className="facts">
            {c.usedBy.length > 0 && (
              <>
                <dt>{t.detail.checkedIn}</dt>
                <dd className="links">
                  {c.usedBy.map((n) => (
                    <button key={n} type="button" className="link" onClick={() => open(n)}>
                      {n}
                    </button>
                  ))}
                </dd>
              </>
            )}
            {c.reflectedIn.length > 0 && (
              <>
                <dt>{t.detail.servedBy}</dt>
                <dd className="links">
                  {c.reflectedIn.map((n) => (
                    <button key={n} type="button" className="link" onClick={() => open(n)}>
                      {n}
                    </button>
                  ))}
                </dd>
              </>
            )}
          </dl>
        )}
      </section>
      <section aria-labelledby="detail-history">
        <h3 id="detail-history">{t.detail.history}</h3>
        {detail.history.length === 0 ? (
          <p className="muted">{t.detail.noHistory}</p>
        ) : (
          <table className="table compact" aria-labelledby="detail-history" data-testid="detail-history">
            <thead>
              <tr>
                <th scope="col">{t.detail.when}</th>
                <th scope="col">{t.detail.what}</th>
                <th scope="col">{t.detail.who}</th>
                <th scope="col">{t.detail.certificate}</th>
              </tr>
            </thead>
            <tbody>
              {detail.history.map((e, i) => (
                <tr key={i} data-action={e.action}>
                  <td>{formatDate(e.at, lang, true)}</td>
                  <td>{t.detail.action[e.action]}</td>
                  <td>{e.user}</td>
                  <td>
                    {e.fingerprintSha256 && (
                      <code className="fingerprint small" title={e.fingerprintSha256}>
                        {shortFingerprint(e.fingerprintSha256)}
                      </code>
                    )}
                    {e.notAfter && (
                      <div className="muted small">
                        {fill(t.detail.validUntil, { date: formatDate(e.notAfter, lang) })}
                      </div>
                    )}
                    {e.previousFingerprintSha256 && (
                      <div className="muted small">
                        {fill(t.detail.replaced, { fingerprint: shortFingerprint(e.previousFingerprintSha256) })}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Dialog>
  );
}
