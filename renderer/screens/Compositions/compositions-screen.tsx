import { useEffect, useId, useState } from 'react';
import type { CompositionView } from '../../../main/contract';
import { useAction } from '../../components/use-action';
import { ErrorMessage } from '../../components/error-message';
import { StatusBadge } from '../../components/status-badge';
import { fill, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { useCertificatesStore } from '../../stores/certificates-store';
import { useCompositionsStore } from '../../stores/compositions-store';
import { DestinationExceptions, HeaderExceptions } from './exceptions';

function Detail({ comp }: { comp: CompositionView }) {
  const t = useStrings();
  const { rename, remove, setCertificate, setIntelligentBcc } = useCompositionsStore();
  const allCertificates = useCertificatesStore((s) => s.list);
  const loadCertificates = useCertificatesStore((s) => s.load);
  const checked = new Set(comp.certificates.map((c) => c.id));
  useEffect(() => {
    void loadCertificates();
  }, [loadCertificates]);
  const go = useAppStore((s) => s.go);
  const [newName, setNewName] = useState(comp.name);
  const { error, run } = useAction();
  const renameId = useId();
  const bccId = useId();
  useEffect(() => setNewName(comp.name), [comp.name]);
  return (
    <div className="detail" data-composition={comp.name}>
      <div className="toolbar">
        <h2>{comp.name}</h2>
        {comp.pending && <span className="badge warn">{t.comps.pending}</span>}
      </div>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            const c = await rename(comp.name, newName.trim());
            go('compositions', c.id);
          });
        }}
      >
        <div className="field">
          <label htmlFor={renameId}>{t.comps.renameTo}</label>
          <input id={renameId} value={newName} onChange={(e) => setNewName(e.target.value)} />
        </div>
        <button type="submit" disabled={!newName.trim() || newName.trim() === comp.name}>
          {t.common.rename}
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            if (window.confirm(fill(t.comps.confirmDelete, { name: comp.name }))) {
              void run(async () => {
                await remove(comp.name);
                go('compositions', null);
              });
            }
          }}
        >
          {t.comps.deleteComp}
        </button>
      </form>
      <ErrorMessage error={error} />
      <section className="card" aria-labelledby="smime-title">
        <h2 id="smime-title">{t.comps.smime}</h2>
        <p className="muted">{t.comps.smimeHint}</p>
        {allCertificates.length === 0 ? (
          <p>{t.comps.noCerts}</p>
        ) : (
          <ul className="checklist">
            {allCertificates.map((c) => (
              <li key={c.id}>
                <label>
                  <input
                    type="checkbox"
                    checked={checked.has(c.id)}
                    onChange={(e) => void run(() => setCertificate(comp.name, c.email, e.target.checked))}
                  />{' '}
                  {c.email}
                </label>{' '}
                <StatusBadge status={c.status} daysLeft={c.daysLeft} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby={bccId}>
        <h2 id={bccId}>{t.comps.bcc}</h2>
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            aria-checked={comp.intelligentBcc}
            checked={comp.intelligentBcc}
            onChange={(e) => void run(() => setIntelligentBcc(comp.name, e.target.checked))}
          />{' '}
          {t.comps.bccHint}
        </label>
      </section>
      <DestinationExceptions comp={comp} />
      <HeaderExceptions comp={comp} />
    </div>
  );
}

export function CompositionsScreen() {
  const t = useStrings();
  const { list, loaded, load, create: createComposition } = useCompositionsStore();
  const selected = useAppStore((s) => s.selectedComposition);
  const go = useAppStore((s) => s.go);
  const [name, setName] = useState('');
  const { error, run } = useAction();
  const nameId = useId();
  useEffect(() => {
    void load();
  }, [load]);
  const comp = list.find((c) => c.id === selected) ?? list.find((c) => c.name === selected) ?? null;
  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    await run(async () => {
      const c = await createComposition(name.trim());
      setName('');
      go('compositions', c.id);
    });
  };
  return (
    <section className="split" aria-labelledby="comps-title">
      <div className="list-pane">
        <h1 id="comps-title">{t.comps.title}</h1>
        <form onSubmit={create} className="stack">
          <div className="field">
            <label htmlFor={nameId}>{t.comps.newName}</label>
            <input id={nameId} value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <button type="submit" className="primary" disabled={!name.trim()}>
            {t.comps.create}
          </button>
          <ErrorMessage error={error} />
        </form>
        {loaded && list.length === 0 ? (
          <div className="empty">
            <p>
              <strong>{t.comps.empty}</strong>
            </p>
            <p>{t.comps.emptyHint}</p>
          </div>
        ) : (
          <ul className="nav-list">
            {list.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  className={c === comp ? 'selected' : ''}
                  aria-current={c === comp ? 'true' : undefined}
                  onClick={() => go('compositions', c.id)}
                >
                  {c.name}
                  {c.pending && (
                    <span className="dot" aria-label={t.comps.pending} title={t.comps.pending}>
                      ●
                    </span>
                  )}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="detail-pane">
        {comp ? <Detail comp={comp} /> : <p className="muted">{list.length > 0 ? t.comps.select : ''}</p>}
      </div>
    </section>
  );
}
