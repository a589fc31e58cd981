import { useEffect, useMemo, useRef, useState } from 'react';
import { fill, formatDate, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { useCompositionsStore } from '../../stores/compositions-store';
import { useReflectStore, type ReviewTarget } from '../../stores/reflect-store';
import { ChangesList } from './changes-list';
import { HistoryDialog } from './history-dialog';
import { ImportBundle } from './import-bundle';
import { PublishSettings } from './publish-settings';
import { ReflectAllDialog } from './reflect-all-dialog';
import { ReflectDialog } from './reflect-dialog';
import { ReflectResults } from './reflect-results';
import { ServersPanel } from './servers-panel';
import './reflect.css';

/** Cards drawn at first, and added per "Show more": a thousand compositions stay quick to open. */
const PAGE = 100;

export function ReflectScreen() {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const { pending, loaded, load, results, setProgress } = useReflectStore();
  const compositions = useCompositionsStore((s) => s.list);
  const loadCompositions = useCompositionsStore((s) => s.load);
  const [reflecting, setReflecting] = useState<ReviewTarget | null>(null);
  const [reflectingAll, setReflectingAll] = useState(false);
  const [historyOf, setHistoryOf] = useState<string | null>(null);
  useEffect(() => {
    void load();
    void loadCompositions();
    return window.smime.onReflectProgress((p) => setProgress(p));
  }, [load, loadCompositions, setProgress]);
  const pendingCount = pending.filter((p) => p.changes.length > 0).length;
  const [shown, setShown] = useState(PAGE);
  // what needs reflecting first (in main's order), then what is up to date; a card keeps its place
  // while the screen is open, so the one just reflected does not jump away from under the pointer
  const places = useRef(new Map<string, number>());
  const ordered = useMemo(() => {
    const first = [...pending.filter((p) => p.changes.length > 0), ...pending.filter((p) => p.changes.length === 0)];
    // by id: a card renamed (here or in the CLI) keeps its place too
    for (const p of first) if (!places.current.has(p.id)) places.current.set(p.id, places.current.size);
    return first.sort((a, b) => places.current.get(a.id)! - places.current.get(b.id)!);
  }, [pending]);
  const byName = useMemo(() => new Map(compositions.map((c) => [c.name, c])), [compositions]);
  return (
    <section aria-labelledby="reflect-title" className="reflect-screen">
      <div className="toolbar">
        <h1 id="reflect-title">{t.reflect.title}</h1>
        <button type="button" className="primary" disabled={pendingCount === 0} onClick={() => setReflectingAll(true)}>
          {t.reflectAll.button}
        </button>
      </div>
      <p>{t.reflect.intro}</p>
      {loaded && pending.length === 0 && <p className="empty">{t.reflect.noCompositions}</p>}
      <ul className="pending-list">
        {ordered.slice(0, shown).map((p) => {
          const comp = byName.get(p.composition);
          return (
            <li key={p.composition} className="card" data-composition={p.composition}>
              <div className="toolbar">
                <h2>{p.composition}</h2>
                <span className={p.changes.length ? 'badge warn' : 'badge ok'} data-testid="pending-state">
                  {p.changes.length === 0
                    ? t.reflect.upToDate
                    : p.lastReflectedAt
                      ? fill(t.reflect.changes, { n: p.changes.length })
                      : t.reflect.neverReflected}
                </span>
                <button type="button" onClick={() => setHistoryOf(p.composition)}>
                  {t.history.button}
                </button>
                <button type="button" className="primary" onClick={() => setReflecting({ name: p.composition })}>
                  {t.reflect.reflectButton}
                </button>
              </div>
              {p.lastReflectedAt && (
                <p className="muted">
                  {fill(t.reflect.lastReflected, { at: formatDate(p.lastReflectedAt, lang, true) })}
                </p>
              )}
              {p.lastReflectedAt && <ChangesList changes={p.changes} />}
              {comp && <PublishSettings comp={comp} />}
            </li>
          );
        })}
      </ul>
      {ordered.length > shown && (
        <button type="button" onClick={() => setShown((n) => n + PAGE)} data-testid="show-more">
          {fill(t.reflect.showMore, {
            n: Math.min(PAGE, ordered.length - shown),
            shown,
            total: ordered.length,
          })}
        </button>
      )}
      <ReflectResults results={results} />
      <ServersPanel />
      <ImportBundle />
      {reflecting && <ReflectDialog target={reflecting} onClose={() => setReflecting(null)} />}
      {reflectingAll && <ReflectAllDialog onClose={() => setReflectingAll(false)} />}
      {historyOf && (
        <HistoryDialog
          name={historyOf}
          onClose={() => setHistoryOf(null)}
          onReexport={(serial) => {
            setHistoryOf(null);
            setReflecting({ name: historyOf, reexportOf: serial });
          }}
        />
      )}
    </section>
  );
}
