import { memo, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { CertificateView } from '../../../main/contract';
import { StatusBadge } from '../../components/status-badge';
import { fill, formatDate, useStrings, type Language } from '../../i18n';
import type { Strings } from '../../i18n/strings';
import { useAppStore } from '../../stores/app-store';
import { useCertificatesStore, type SortKey } from '../../stores/certificates-store';

/** One line per certificate: what keeps ten thousand rows scrollable. */
export const ROW_HEIGHT = 38;

const COLUMNS: { key: SortKey; label: (t: Strings) => string; className: string }[] = [
  { key: 'email', label: (t) => t.certs.colAddress, className: 'col-email' },
  { key: 'commonName', label: (t) => t.certs.colSubject, className: 'col-cn' },
  { key: 'issuerCommonName', label: (t) => t.certs.colIssuer, className: 'col-issuer' },
  { key: 'notAfter', label: (t) => t.certs.colValidUntil, className: 'col-date' },
  { key: 'status', label: (t) => t.certs.colStatus, className: 'col-status' },
  { key: 'usedBy', label: (t) => t.certs.colUsedBy, className: 'col-used' },
];

interface RowProps {
  c: CertificateView;
  index: number;
  /** where the row sits in the list, px */
  start: number;
  t: Strings;
  lang: Language;
  onRenew(email: string): void;
  onDelete(c: CertificateView): void;
}

/** The compositions a certificate serves: checked ones, then those the servers keep until reflected. */
function UsedBy({ c, t }: { c: CertificateView; t: Strings }) {
  const go = useAppStore((s) => s.go);
  const reflectedOnly = c.reflectedIn.filter((n) => !c.usedBy.includes(n));
  const names = [...c.usedBy.map((n) => ({ n, pending: false })), ...reflectedOnly.map((n) => ({ n, pending: true }))];
  // one name, cut with an ellipsis when long; the others are counted (two in a narrow column became two letters)
  const shown = names.slice(0, 1);
  // a narrow column cuts the names: all of them on hover
  return (
    <span className="used-by" title={names.map(({ n }) => n).join(', ') || undefined}>
      {shown.map(({ n, pending }) => (
        <button
          key={n}
          type="button"
          className={pending ? 'link pending-use' : 'link'}
          onClick={() => go('compositions', n)}
          title={pending ? fill(t.certs.untilReflectedTitle, { name: n }) : undefined}
        >
          {n}
          {pending && <span className="muted small"> ({t.certs.untilReflected})</span>}
        </button>
      ))}
      {names.length > shown.length && (
        <span className="muted small more">{fill(t.common.more, { n: names.length - shown.length })}</span>
      )}
    </span>
  );
}

const Row = memo(function Row({ c, index, start, t, lang, onRenew, onDelete }: RowProps) {
  const openDetail = useCertificatesStore((s) => s.openDetail);
  return (
    <div
      role="row"
      className="cert-row"
      data-email={c.email}
      aria-rowindex={index + 2}
      style={{ transform: `translateY(${start}px)` }}
    >
      <div role="cell" className="col-email">
        <button
          type="button"
          className="link cell-link"
          onClick={() => void openDetail(c.email)}
          aria-label={fill(t.certs.details, { email: c.email })}
        >
          {c.email}
        </button>
      </div>
      <div role="cell" className="col-cn" title={c.commonName}>
        {c.commonName}
      </div>
      <div role="cell" className="col-issuer" title={c.issuerCommonName}>
        {c.issuerCommonName}
      </div>
      <div role="cell" className="col-date">
        {formatDate(c.notAfter, lang)}
      </div>
      <div role="cell" className="col-status">
        <StatusBadge status={c.status} daysLeft={c.daysLeft} threshold={c.threshold} />
      </div>
      <div role="cell" className="col-used">
        <UsedBy c={c} t={t} />
      </div>
      <div role="cell" className="col-actions">
        <span className="actions">
          <button
            type="button"
            onClick={() => onRenew(c.email)}
            aria-label={fill(t.certs.renewFor, { email: c.email })}
          >
            {t.certs.renew}
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => onDelete(c)}
            aria-label={fill(t.certs.deleteFor, { email: c.email })}
          >
            {t.certs.delete}
          </button>
        </span>
      </div>
    </div>
  );
});

/**
 * The certificates as a table whose rows exist only where the scroll position shows them: ten
 * thousand rows scroll like fifty. Rows are positioned boxes in one grid of columns (an ARIA
 * table), so a row coming into view lays out alone instead of the whole table. Every column
 * sorts; aria-rowcount and aria-rowindex tell a screen reader where it is in the whole list.
 */
export function CertificateTable({
  rows,
  onRenew,
  onDelete,
}: {
  rows: CertificateView[];
  onRenew(email: string): void;
  onDelete(c: CertificateView): void;
}) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const sort = useCertificatesStore((s) => s.sort);
  const sortBy = useCertificatesStore((s) => s.sortBy);
  const scrollRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    getItemKey: (i) => rows[i]!.id,
  });
  const items = v.getVirtualItems();
  return (
    <div className="table-scroll" ref={scrollRef} data-testid="cert-scroll">
      <div role="table" className="cert-table" aria-labelledby="certs-title" aria-rowcount={rows.length + 1}>
        <div role="rowgroup" className="cert-head">
          <div role="row" className="cert-row head" aria-rowindex={1}>
            {COLUMNS.map((c) => {
              const active = sort.key === c.key;
              return (
                <div
                  key={c.key}
                  role="columnheader"
                  className={c.className}
                  aria-sort={active ? (sort.asc ? 'ascending' : 'descending') : undefined}
                >
                  <button type="button" className="sort" onClick={() => sortBy(c.key)}>
                    {c.label(t)}
                    <span className="sort-mark" aria-hidden="true">
                      {active ? (sort.asc ? '▲' : '▼') : '↕'}
                    </span>
                  </button>
                </div>
              );
            })}
            <div role="columnheader" className="col-actions">
              {t.certs.colActions}
            </div>
          </div>
        </div>
        <div role="rowgroup" className="cert-body" style={{ height: v.getTotalSize() }}>
          {items.map((i) => (
            <Row
              key={i.key}
              c={rows[i.index]!}
              index={i.index}
              start={i.start}
              t={t}
              lang={lang}
              onRenew={onRenew}
              onDelete={onDelete}
            />
          ))}
        </div>
      </div>
    </div>
  );
}
