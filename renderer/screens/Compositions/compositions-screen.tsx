import { useDeferredValue, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { CompositionView } from '../../../main/contract';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { useAction } from '../../components/use-action';
import { required, useForm } from '../../components/use-form';
import { fill, formatCount, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { useCertificatesStore } from '../../stores/certificates-store';
import { useCompositionsStore } from '../../stores/compositions-store';
import { CertificateChecklist } from './certificate-checklist';
import { DestinationExceptions, HeaderExceptions } from './exceptions';
import { LoadState } from '../../components/load-state';

const NAV_ROW = 40;

function Detail({ comp }: { comp: CompositionView }) {
  const t = useStrings();
  const { rename, remove, setCertificate, setIntelligentBcc } = useCompositionsStore();
  const certificatesLoaded = useCertificatesStore((s) => s.loaded);
  const loadCertificates = useCertificatesStore((s) => s.load);
  useEffect(() => {
    if (!certificatesLoaded) void loadCertificates();
  }, [certificatesLoaded, loadCertificates]);
  const go = useAppStore((s) => s.go);
  const notify = useAppStore((s) => s.notify);
  const [newName, setNewName] = useState(comp.name);
  const [confirmDelete, setConfirmDelete] = useState(false);
  // each control keeps its own error, shown where it happened
  const certs = useAction();
  const bcc = useAction();
  const removal = useAction();
  const form = useForm<'newName'>({
    labels: { newName: t.comps.renameTo },
    paths: { newName: 'newName' },
    codes: { NAME_INVALID: ['newName', t.comps.nameRule], COMPOSITION_EXISTS: 'newName' },
  });
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
        ref={form.ref}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void form.run(
            () => required(t, { newName: t.comps.renameTo }, { newName }),
            async () => {
              const c = await rename(comp.name, newName.trim());
              go('compositions', c.id);
            },
          );
        }}
      >
        <Field label={t.comps.renameTo} {...form.field('newName')}>
          {(p) => <input {...p} {...form.bind('newName', newName, setNewName)} />}
        </Field>
        <button type="submit" disabled={form.busy || newName.trim() === comp.name}>
          {t.common.rename}
        </button>
        <button
          type="button"
          className="danger"
          onClick={() => {
            removal.setError(null);
            setConfirmDelete(true);
          }}
        >
          {t.comps.deleteComp}
        </button>
      </form>
      <ErrorMessage error={form.general} />
      <section className="card" aria-labelledby="smime-title">
        <h2 id="smime-title">{t.comps.smime}</h2>
        <p className="muted">{t.comps.smimeHint}</p>
        <CertificateChecklist
          comp={comp}
          onToggle={(email, on) => void certs.run(() => setCertificate(comp.name, email, on))}
        />
        <ErrorMessage error={certs.error} />
      </section>
      <section className="card" aria-labelledby={bccId}>
        <h2 id={bccId}>{t.comps.bcc}</h2>
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            aria-checked={comp.intelligentBcc}
            checked={comp.intelligentBcc}
            onChange={(e) => void bcc.run(() => setIntelligentBcc(comp.name, e.target.checked))}
          />{' '}
          {t.comps.bccHint}
        </label>
        <ErrorMessage error={bcc.error} />
      </section>
      <DestinationExceptions comp={comp} />
      <HeaderExceptions comp={comp} />
      {confirmDelete && (
        <ConfirmDialog
          title={fill(t.comps.deleteTitle, { name: comp.name })}
          confirmLabel={t.comps.deleteComp}
          busy={removal.busy}
          onClose={() => setConfirmDelete(false)}
          onConfirm={() =>
            void removal.run(async () => {
              await remove(comp.name);
              setConfirmDelete(false);
              notify(fill(t.comps.deleted, { name: comp.name }));
              go('compositions', null);
            })
          }
        >
          <p>{fill(t.comps.confirmDelete, { name: comp.name })}</p>
          <ErrorMessage error={removal.error} />
        </ConfirmDialog>
      )}
    </div>
  );
}

/** The compositions, filtered as typed, rendered only where the list is scrolled to. */
function CompositionList({ list, selected }: { list: CompositionView[]; selected: CompositionView | null }) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const go = useAppStore((s) => s.go);
  const [query, setQuery] = useState('');
  const filterId = useId();
  const countId = useId();
  const q = useDeferredValue(query.trim().toLowerCase());
  const rows = useMemo(() => (q ? list.filter((c) => c.name.toLowerCase().includes(q)) : list), [list, q]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => NAV_ROW,
    overscan: 8,
    getItemKey: (i) => rows[i]!.id,
  });
  return (
    <>
      <div className="field">
        <label htmlFor={filterId}>{t.comps.filter}</label>
        <input
          id={filterId}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-describedby={countId}
        />
        <span id={countId} className="muted small" data-testid="comp-count">
          {fill(t.comps.listCount, { shown: formatCount(rows.length, lang), total: formatCount(list.length, lang) })}
        </span>
      </div>
      <div className="nav-scroll" ref={scrollRef} data-testid="comp-scroll">
        <ul className="nav-list" style={{ height: v.getTotalSize() }} aria-label={t.comps.title}>
          {v.getVirtualItems().map((i) => {
            const c = rows[i.index]!;
            const current = c.id === selected?.id;
            return (
              <li
                key={i.key}
                style={{ transform: `translateY(${i.start}px)` }}
                aria-setsize={rows.length}
                aria-posinset={i.index + 1}
              >
                <button
                  type="button"
                  className={current ? 'selected' : ''}
                  aria-current={current ? 'true' : undefined}
                  onClick={() => go('compositions', c.id)}
                >
                  <span className="nav-name">{c.name}</span>
                  {c.pending && (
                    <span className="dot" aria-label={t.comps.pending} title={t.comps.pending} role="img">
                      ●
                    </span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      </div>
    </>
  );
}

export function CompositionsScreen() {
  const t = useStrings();
  const { list, loaded, loadError, load, create: createComposition } = useCompositionsStore();
  const selected = useAppStore((s) => s.selectedComposition);
  const go = useAppStore((s) => s.go);
  const [name, setName] = useState('');
  const form = useForm<'name'>({
    labels: { name: t.comps.newName },
    paths: { name: 'name' },
    codes: { NAME_INVALID: ['name', t.comps.nameRule], COMPOSITION_EXISTS: 'name' },
  });
  useEffect(() => {
    void load();
  }, [load]);
  const comp = list.find((c) => c.id === selected) ?? list.find((c) => c.name === selected) ?? null;
  const create = async (e: React.FormEvent) => {
    e.preventDefault();
    await form.run(
      () => required(t, { name: t.comps.newName }, { name }),
      async () => {
        const c = await createComposition(name.trim());
        setName('');
        go('compositions', c.id);
      },
    );
  };
  return (
    <section className="split" aria-labelledby="comps-title">
      <div className="list-pane">
        <h1 id="comps-title" tabIndex={-1}>
          {t.comps.title}
        </h1>
        <form onSubmit={create} className="stack" ref={form.ref} noValidate>
          <Field label={t.comps.newName} {...form.field('name')}>
            {(p) => <input {...p} {...form.bind('name', name, setName)} />}
          </Field>
          <button type="submit" className="primary" disabled={form.busy}>
            {t.comps.create}
          </button>
          <ErrorMessage error={form.general} />
        </form>
        {!loaded ? (
          <LoadState text={t.comps.loading} error={loadError} onRetry={() => void load()} />
        ) : list.length === 0 ? (
          <div className="empty">
            <p>
              <strong>{t.comps.empty}</strong>
            </p>
            <p>{t.comps.emptyHint}</p>
          </div>
        ) : (
          <CompositionList list={list} selected={comp} />
        )}
      </div>
      <div className="detail-pane">
        {comp ? (
          <Detail key={comp.id} comp={comp} />
        ) : (
          <p className="muted">{loaded && list.length > 0 ? t.comps.select : ''}</p>
        )}
      </div>
    </section>
  );
}
