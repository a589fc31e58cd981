import { useEffect, useId, useMemo, useState } from 'react';
import type { AuditEntryView } from '../../../main/contract';
import { fill, formatDate, formatList, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { useCompositionsStore } from '../../stores/compositions-store';
import { AUDIT_GROUPS, NO_FILTERS, useAuditStore, type AuditFilters } from '../../stores/audit-store';
import { actionText } from './action-text';
import { AuditChainBanner } from './audit-chain-banner';
import './audit.css';

/** An entry's details in the UI's language: a label for each known key (the key itself otherwise), the value as data. */
function Details({ details }: { details: AuditEntryView['details'] }) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  if (!details) return null;
  const labels: Record<string, string> = t.audit.detailKeys;
  // an exception's number, or a composition's id
  const label = (k: string, v: unknown): string =>
    k === 'id' && typeof v === 'string' ? labels.compositionId! : (labels[k] ?? k);
  // what the admin confirmed before a reflection: "code:subject" keys (review.ts confirmationKey)
  const codes: Record<string, string> = t.audit.confirmedCodes;
  const confirmedText = (keys: string): string =>
    formatList(
      keys.split(',').map((key) => {
        const [code = '', subject = ''] = key.split(':');
        const word = codes[code] ?? code;
        return !subject ? word : code === 'matches-everything' ? `${word} #${subject}` : `${word} ${subject}`;
      }),
      lang,
      'narrow',
    );
  const value = (k: string, v: string | number | boolean | null): string => {
    if (v === null) return '';
    if (typeof v === 'boolean') return v ? t.common.yes : t.common.no;
    if (k === 'notAfter' && typeof v === 'string') return formatDate(v, lang);
    if (k === 'confirmed' && typeof v === 'string') return confirmedText(v);
    return String(v);
  };
  return (
    <span className="small">
      {Object.entries(details).map(([k, v], i) => (
        <span key={k} className="audit-detail" data-key={k}>
          {i > 0 && ' · '}
          {label(k, v)}: <span className="mono">{value(k, v)}</span>
        </span>
      ))}
    </span>
  );
}

function FiltersForm() {
  const t = useStrings();
  const { filters, setFilters } = useAuditStore();
  const [draft, setDraft] = useState<AuditFilters>(filters);
  const ids = { action: useId(), composition: useId(), address: useId(), since: useId() };
  const compositions = useCompositionsStore((s) => s.list);
  const lang = useAppStore((s) => s.language);
  const compositionNames = useMemo(
    () => compositions.map((c) => c.name).sort((a, b) => a.localeCompare(b, lang)),
    [compositions, lang],
  );
  const change = (patch: Partial<AuditFilters>) => setDraft((d) => ({ ...d, ...patch }));
  return (
    <form
      className="filters audit-filters"
      aria-label={t.audit.filters}
      onSubmit={(e) => {
        e.preventDefault();
        void setFilters(draft);
      }}
    >
      <div className="field">
        <label htmlFor={ids.action}>{t.audit.action}</label>
        <select
          id={ids.action}
          value={draft.action}
          onChange={(e) => change({ action: e.target.value as AuditFilters['action'] })}
        >
          <option value="">{t.audit.allActions}</option>
          {AUDIT_GROUPS.map((g) => (
            <option key={g} value={g}>
              {t.audit.groups[g]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.composition}>{t.audit.composition}</label>
        <input
          id={ids.composition}
          list={`${ids.composition}-names`}
          value={draft.composition}
          onChange={(e) => change({ composition: e.target.value })}
        />
        {/* the names in use, to pick from; an earlier name can still be typed (the log follows renames) */}
        <datalist id={`${ids.composition}-names`}>
          {compositionNames.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor={ids.address}>{t.audit.address}</label>
        <input
          id={ids.address}
          type="email"
          value={draft.address}
          onChange={(e) => change({ address: e.target.value })}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.since}>{t.audit.since}</label>
        <input id={ids.since} type="date" value={draft.since} onChange={(e) => change({ since: e.target.value })} />
      </div>
      <div className="row">
        <button type="submit" className="primary">
          {t.audit.apply}
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft(NO_FILTERS);
            void setFilters(NO_FILTERS);
          }}
        >
          {t.audit.reset}
        </button>
      </div>
    </form>
  );
}

/** The audit log: who did what and when, newest first, filtered; and whether its chain is intact. */
export function AuditScreen() {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const { entries, loaded, check, limit, load, verify, showMore } = useAuditStore();
  useEffect(() => {
    void load();
    // an action in another window or the CLI appends to the log: read it again
    return window.smime.onStateChanged(() => void load());
  }, [load]);
  return (
    <section aria-labelledby="audit-title" className="audit-screen">
      <h1 id="audit-title">{t.audit.title}</h1>
      <p className="muted">{t.audit.intro}</p>
      {check && <AuditChainBanner check={check} onVerify={() => void verify()} />}
      <FiltersForm />
      {loaded && entries.length === 0 && <p className="empty">{t.audit.empty}</p>}
      {entries.length > 0 && (
        <>
          <p className="muted small">{fill(t.audit.shown, { n: entries.length })}</p>
          <table className="table compact" data-testid="audit-entries">
            <thead>
              <tr>
                <th scope="col">{t.audit.colAt}</th>
                <th scope="col">{t.audit.colUser}</th>
                <th scope="col">{t.audit.colAction}</th>
                <th scope="col">{t.audit.colTarget}</th>
                <th scope="col">{t.audit.colDetails}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e, i) => (
                <tr key={`${e.at}-${i}`} data-action={e.action}>
                  <td className="nowrap">{formatDate(e.at, lang, true)}</td>
                  <td>{e.user}</td>
                  <td className="nowrap" title={e.action}>
                    {actionText(t, e.action)}
                  </td>
                  <td className="mono">{e.target ?? ''}</td>
                  <td className="details">
                    <Details details={e.details} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {entries.length >= limit && (
            <button type="button" onClick={() => void showMore()}>
              {t.audit.more}
            </button>
          )}
        </>
      )}
    </section>
  );
}
