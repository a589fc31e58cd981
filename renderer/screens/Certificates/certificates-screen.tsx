import { useDeferredValue, useEffect, useId, useMemo, useState } from 'react';
import type { CertificateView } from '../../../main/contract';
import { fill, formatCount, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import {
  filterCertificates,
  sortCertificates,
  useCertificatesStore,
  type StatusFilter,
} from '../../stores/certificates-store';
import { CertificateDetailDialog } from './certificate-detail';
import { CertificateDialog } from './certificate-dialog';
import { CertificateTable } from './certificate-table';
import { DeleteDialog } from './delete-dialog';
import { ExpiryTimeline } from './expiry-timeline';
import { LoadState } from '../../components/load-state';

export function CertificatesScreen() {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const addOpen = useAppStore((s) => s.addDialogOpen);
  const setAddOpen = useAppStore((s) => s.setAddDialogOpen);
  const {
    list,
    loaded,
    loadError,
    filter,
    query,
    sort,
    view,
    detail,
    detailLoading,
    load,
    setFilter,
    setQuery,
    setView,
    closeDetail,
  } = useCertificatesStore();
  const [renewing, setRenewing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<CertificateView | null>(null);
  const filterId = useId();
  const searchId = useId();
  const countId = useId();
  useEffect(() => {
    void load();
  }, [load]);
  // sorting ten thousand rows happens when the list or the order changes, not on every keystroke
  const sorted = useMemo(() => sortCertificates(list, sort), [list, sort]);
  const deferredQuery = useDeferredValue(query);
  const rows = useMemo(() => filterCertificates(sorted, filter, deferredQuery), [sorted, filter, deferredQuery]);
  const total = formatCount(list.length, lang);
  return (
    <section className="screen fill" aria-labelledby="certs-title">
      <div className="toolbar">
        <h1 id="certs-title" tabIndex={-1}>
          {t.certs.title}
        </h1>
        <button type="button" className="primary" onClick={() => setAddOpen(true)}>
          {t.certs.add}
        </button>
      </div>
      {detailLoading && (
        <p className="loading-state inline" role="status">
          {t.detail.loading}
        </p>
      )}
      {!loaded ? (
        <LoadState text={t.certs.loading} error={loadError} onRetry={() => void load()} />
      ) : list.length === 0 ? (
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
            <select id={filterId} value={filter} onChange={(e) => setFilter(e.target.value as StatusFilter)}>
              <option value="all">{t.certs.filterAll}</option>
              <option value="attention">{t.certs.filterAttention}</option>
              <option value="valid">{t.status.valid}</option>
              <option value="expiring">{t.certs.filterExpiring}</option>
              <option value="expired">{t.status.expired}</option>
              <option value="not-yet-valid">{t.status['not-yet-valid']}</option>
            </select>
            <label htmlFor={searchId}>{t.certs.search}</label>
            <input
              id={searchId}
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              aria-describedby={countId}
            />
            <span id={countId} className="count-text" role="status" data-testid="cert-count">
              {rows.length === list.length
                ? fill(t.certs.countAll, { total })
                : fill(t.certs.count, { shown: formatCount(rows.length, lang), total })}
            </span>
            <fieldset className="segmented compact">
              <legend className="visually-hidden">{t.certs.view}</legend>
              <label>
                <input type="radio" name="cert-view" checked={view === 'table'} onChange={() => setView('table')} />{' '}
                {t.certs.viewTable}
              </label>
              <label>
                <input
                  type="radio"
                  name="cert-view"
                  checked={view === 'timeline'}
                  onChange={() => setView('timeline')}
                />{' '}
                {t.certs.viewTimeline}
              </label>
            </fieldset>
          </div>
          {rows.length === 0 ? (
            <p className="muted">{t.certs.noMatch}</p>
          ) : view === 'table' ? (
            <CertificateTable rows={rows} onRenew={setRenewing} onDelete={setDeleting} />
          ) : (
            <ExpiryTimeline rows={rows} />
          )}
        </>
      )}
      {addOpen && <CertificateDialog onClose={() => setAddOpen(false)} />}
      {detail && !renewing && !deleting && (
        <CertificateDetailDialog
          detail={detail}
          onClose={closeDetail}
          onRenew={() => setRenewing(detail.certificate.email)}
          onDelete={() => setDeleting(detail.certificate)}
        />
      )}
      {renewing && <CertificateDialog renewEmail={renewing} onClose={() => setRenewing(null)} />}
      {deleting && <DeleteDialog cert={deleting} onClose={() => setDeleting(null)} />}
    </section>
  );
}
