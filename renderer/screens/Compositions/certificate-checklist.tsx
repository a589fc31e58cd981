import { memo, useDeferredValue, useId, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { CertStatus, CompositionView } from '../../../main/contract';
import { StatusBadge } from '../../components/status-badge';
import { fill, formatCount, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { useCertificatesStore } from '../../stores/certificates-store';
import { LoadState } from '../../components/load-state';

const ROW = 34;

interface Item {
  id: string;
  email: string;
  status: CertStatus;
  daysLeft: number;
  threshold?: number | null;
}

const Row = memo(function Row({
  c,
  checked,
  onToggle,
}: {
  c: Item;
  checked: boolean;
  onToggle(email: string, on: boolean): void;
}) {
  return (
    <>
      <label className="check">
        <input type="checkbox" checked={checked} onChange={(e) => onToggle(c.email, e.target.checked)} />
        <span className="check-email">{c.email}</span>
      </label>
      <StatusBadge status={c.status} daysLeft={c.daysLeft} threshold={c.threshold ?? null} />
    </>
  );
});

/**
 * The certificates a composition signs with: every registered certificate (the certificates
 * store's list) joined with the ids the composition checks, searchable, "checked only" on
 * demand, rendered only where the list is scrolled to.
 */
export function CertificateChecklist({
  comp,
  onToggle,
}: {
  comp: CompositionView;
  onToggle(email: string, on: boolean): void;
}) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const all = useCertificatesStore((s) => s.list);
  const loaded = useCertificatesStore((s) => s.loaded);
  const loadError = useCertificatesStore((s) => s.loadError);
  const reload = useCertificatesStore((s) => s.load);
  const [query, setQuery] = useState('');
  const [checkedOnly, setCheckedOnly] = useState(false);
  const searchId = useId();
  const countId = useId();
  const checked = useMemo(() => new Set(comp.certificates.map((c) => c.id)), [comp.certificates]);
  // until the certificates are loaded, the composition's own (checked) ones are shown
  const base: Item[] = loaded ? all : comp.certificates;
  const sorted = useMemo(() => [...base].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0)), [base]);
  const q = useDeferredValue(query.trim().toLowerCase());
  const rows = useMemo(
    () => sorted.filter((c) => (!checkedOnly || checked.has(c.id)) && (!q || c.email.toLowerCase().includes(q))),
    [sorted, checkedOnly, checked, q],
  );
  const scrollRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW,
    overscan: 8,
    getItemKey: (i) => rows[i]!.id,
  });
  if (loaded && all.length === 0) return <p>{t.comps.noCerts}</p>;
  return (
    <div className="checklist-box">
      {!loaded && loadError && <LoadState text="" error={loadError} onRetry={() => void reload()} />}
      <div className="filters">
        <label htmlFor={searchId}>{t.comps.certSearch}</label>
        <input
          id={searchId}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-describedby={countId}
        />
        <label className="check">
          <input type="checkbox" checked={checkedOnly} onChange={(e) => setCheckedOnly(e.target.checked)} />{' '}
          {t.comps.checkedOnly}
        </label>
        <span id={countId} className="count-text" data-testid="checked-count">
          {fill(t.comps.checkedCount, {
            checked: formatCount(checked.size, lang),
            total: formatCount(loaded ? all.length : checked.size, lang),
          })}
        </span>
      </div>
      {rows.length === 0 ? (
        <p className="muted">{t.comps.noCertMatch}</p>
      ) : (
        <div className="check-scroll" ref={scrollRef} data-testid="checklist-scroll">
          <ul className="checklist" style={{ height: v.getTotalSize() }}>
            {v.getVirtualItems().map((i) => {
              const c = rows[i.index]!;
              return (
                <li
                  key={i.key}
                  style={{ transform: `translateY(${i.start}px)` }}
                  data-email={c.email}
                  aria-setsize={rows.length}
                  aria-posinset={i.index + 1}
                >
                  <Row c={c} checked={checked.has(c.id)} onToggle={onToggle} />
                </li>
              );
            })}
          </ul>
        </div>
      )}
    </div>
  );
}
