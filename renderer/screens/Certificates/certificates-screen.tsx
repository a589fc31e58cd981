import { useEffect, useId, useState } from 'react';
import type { CertificateView } from '../../../main/contract';
import { StatusBadge } from '../../components/status-badge';
import { formatDate, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { useCertificatesStore, visibleCertificates, type StatusFilter } from '../../stores/certificates-store';
import { CertificateDialog } from './certificate-dialog';
import { DeleteDialog } from './delete-dialog';

export function CertificatesScreen() {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const addOpen = useAppStore((s) => s.addDialogOpen);
  const setAddOpen = useAppStore((s) => s.setAddDialogOpen);
  const go = useAppStore((s) => s.go);
  const store = useCertificatesStore();
  const [renewing, setRenewing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<CertificateView | null>(null);
  const filterId = useId();
  const searchId = useId();
  const load = store.load;
  useEffect(() => {
    void load();
  }, [load]);
  const rows = visibleCertificates(store);
  return (
    <section aria-labelledby="certs-title">
      <div className="toolbar">
        <h1 id="certs-title">{t.certs.title}</h1>
        <button type="button" className="primary" onClick={() => setAddOpen(true)}>
          {t.certs.add}
        </button>
      </div>
      {store.loaded && store.list.length === 0 ? (
        <div className="empty">
          <p>
            <strong>{t.certs.empty}</strong>
          </p>
          <p>{t.certs.emptyHint}</p>
        </div>
      ) : (
        <>
          <div className="filters">
            <label htmlFor={filterId}>{t.certs.filterStatus}</label>
            <select
              id={filterId}
              value={store.filter}
              onChange={(e) => store.setFilter(e.target.value as StatusFilter)}
            >
              <option value="all">{t.certs.filterAll}</option>
              <option value="valid">{t.status.valid}</option>
              <option value="expiring">{t.status.expiring.replace('{n}', '…')}</option>
              <option value="expired">{t.status.expired}</option>
              <option value="not-yet-valid">{t.status['not-yet-valid']}</option>
            </select>
            <label htmlFor={searchId}>{t.certs.search}</label>
            <input id={searchId} type="search" value={store.query} onChange={(e) => store.setQuery(e.target.value)} />
          </div>
          <table className="table" aria-labelledby="certs-title">
            <thead>
              <tr>
                <th scope="col">{t.certs.colAddress}</th>
                <th scope="col">{t.certs.colSubject}</th>
                <th scope="col">{t.certs.colIssuer}</th>
                <th scope="col" aria-sort={store.sortAsc ? 'ascending' : 'descending'}>
                  <button type="button" className="link" onClick={store.toggleSort}>
                    {t.certs.colValidUntil} ({store.sortAsc ? t.certs.sortAsc : t.certs.sortDesc})
                  </button>
                </th>
                <th scope="col">{t.certs.colStatus}</th>
                <th scope="col">{t.certs.colUsedBy}</th>
                <th scope="col">{t.certs.colActions}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id} data-email={c.email}>
                  <td>{c.email}</td>
                  <td>{c.commonName}</td>
                  <td>{c.issuerCommonName}</td>
                  <td>{formatDate(c.notAfter, lang)}</td>
                  <td>
                    <StatusBadge status={c.status} daysLeft={c.daysLeft} threshold={c.threshold} />
                  </td>
                  <td>
                    {c.usedBy.map((n) => (
                      <button key={n} type="button" className="link" onClick={() => go('compositions', n)}>
                        {n}
                      </button>
                    ))}
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      onClick={() => setRenewing(c.email)}
                      aria-label={`${t.certs.renew} ${c.email}`}
                    >
                      {t.certs.renew}
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => setDeleting(c)}
                      aria-label={`${t.certs.delete} ${c.email}`}
                    >
                      {t.certs.delete}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 && <p className="muted">{t.certs.noMatch}</p>}
        </>
      )}
      {addOpen && <CertificateDialog onClose={() => setAddOpen(false)} />}
      {renewing && <CertificateDialog renewEmail={renewing} onClose={() => setRenewing(null)} />}
      {deleting && <DeleteDialog cert={deleting} onClose={() => setDeleting(null)} />}
    </section>
  );
}
