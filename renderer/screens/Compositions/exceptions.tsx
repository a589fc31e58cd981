import { useEffect, useId, useState } from 'react';
import type { CompositionView, TesterMatch } from '../../../main/contract';
import { toUiError, type UiError } from '../../api';
import { useAction } from '../../components/use-action';
import { ErrorMessage } from '../../components/error-message';
import { fill, useStrings } from '../../i18n';
import { useCompositionsStore } from '../../stores/compositions-store';

type Change = (p: () => Promise<CompositionView>) => Promise<boolean>;

/** Runs a store action on the composition, keeping its error for the form; true when it succeeded. */
function useChange(): [Change, UiError | null, (e: UiError | null) => void] {
  const { error, setError, run } = useAction();
  const change: Change = async (p) => (await run(p)) !== undefined;
  return [change, error, setError];
}

/** The on/off box of one exception row. */
function EnabledToggle({
  comp,
  id,
  enabled,
  label,
  change,
}: {
  comp: CompositionView;
  id: number;
  enabled: boolean;
  label: string;
  change: Change;
}) {
  const t = useStrings();
  const setExceptionEnabled = useCompositionsStore((s) => s.setExceptionEnabled);
  return (
    <input
      type="checkbox"
      checked={enabled}
      aria-label={`${t.common.enabled} #${id} ${label}`}
      onChange={(e) => void change(() => setExceptionEnabled(comp.name, id, e.target.checked))}
    />
  );
}

export function DestinationExceptions({ comp }: { comp: CompositionView }) {
  const t = useStrings();
  const [change, error, setError] = useChange();
  const { addDestination, updateException, removeException, testDestinations } = useCompositionsStore();
  const [pattern, setPattern] = useState('');
  const [note, setNote] = useState('');
  const [editing, setEditing] = useState<{ id: number; pattern: string } | null>(null);
  const [addresses, setAddresses] = useState('');
  const [results, setResults] = useState<TesterMatch[]>([]);
  const [testError, setTestError] = useState<UiError | null>(null);
  const patternId = useId();
  const noteId = useId();
  const testerId = useId();

  // live tester: runs the typed pattern first, then the composition's exceptions
  useEffect(() => {
    const list = addresses
      .split(/[\n,]/)
      .map((a) => a.trim())
      .filter(Boolean);
    if (list.length === 0) {
      setResults([]);
      setTestError(null);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(async () => {
      try {
        const r = await testDestinations(comp.name, list, pattern.trim() || undefined);
        if (!cancelled) {
          setResults(r);
          setTestError(null);
        }
      } catch (e) {
        if (!cancelled) setTestError(toUiError(e));
      }
    }, 150);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [addresses, pattern, comp, testDestinations]);

  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    if (await change(() => addDestination(comp.name, pattern.trim(), note.trim() || undefined))) {
      setPattern('');
      setNote('');
    }
  };
  return (
    <section className="card" aria-labelledby="dest-title">
      <h2 id="dest-title">{t.comps.dest}</h2>
      <p className="muted">{t.comps.destHint}</p>
      <table className="table compact" aria-labelledby="dest-title">
        <thead>
          <tr>
            <th scope="col">{t.comps.colEnabled}</th>
            <th scope="col">{t.comps.colId}</th>
            <th scope="col">{t.comps.pattern}</th>
            <th scope="col">{t.comps.note}</th>
            <th scope="col">{t.certs.colActions}</th>
          </tr>
        </thead>
        <tbody>
          {comp.destinationExceptions.map((x) => (
            <tr key={x.id} data-exception={x.id}>
              <td>
                <EnabledToggle comp={comp} id={x.id} enabled={x.enabled} label={x.pattern} change={change} />
              </td>
              <td>{x.id}</td>
              <td className="mono">
                {editing?.id === x.id ? (
                  <input
                    aria-label={t.comps.editPattern}
                    value={editing.pattern}
                    onChange={(e) => setEditing({ id: x.id, pattern: e.target.value })}
                  />
                ) : (
                  x.pattern
                )}
              </td>
              <td>
                {x.isDefault && <span className="badge neutral">{t.common.default}</span>}{' '}
                {x.preset && <span className="muted">{t.comps.preset[x.preset]}</span>} {x.note}
              </td>
              <td className="actions">
                {editing?.id === x.id ? (
                  <button
                    type="button"
                    onClick={async () => {
                      if (await change(() => updateException(comp.name, x.id, { pattern: editing.pattern })))
                        setEditing(null);
                    }}
                  >
                    {t.comps.savePattern}
                  </button>
                ) : (
                  <button
                    type="button"
                    onClick={() => setEditing({ id: x.id, pattern: x.pattern })}
                    aria-label={`${t.common.edit} #${x.id}`}
                  >
                    {t.common.edit}
                  </button>
                )}
                <button
                  type="button"
                  disabled={x.isDefault}
                  title={x.isDefault ? t.comps.defaultsLocked : undefined}
                  aria-label={`${t.common.remove} #${x.id}`}
                  onClick={() => void change(() => removeException(comp.name, x.id))}
                >
                  {t.common.remove}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" onSubmit={add}>
        <div className="field grow">
          <label htmlFor={patternId}>{t.comps.pattern}</label>
          <input
            id={patternId}
            className="mono"
            value={pattern}
            onChange={(e) => {
              setPattern(e.target.value);
              setError(null);
            }}
            placeholder="@example\.co\.jp$"
          />
        </div>
        <div className="field">
          <label htmlFor={noteId}>{t.comps.note}</label>
          <input id={noteId} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        <button type="submit" disabled={!pattern.trim()}>
          {t.comps.addPattern}
        </button>
      </form>
      <ErrorMessage error={error} />
      <div className="tester">
        <label htmlFor={testerId}>{t.comps.tester}</label>
        <textarea
          id={testerId}
          rows={3}
          value={addresses}
          onChange={(e) => setAddresses(e.target.value)}
          aria-describedby={`${testerId}-hint`}
        />
        <span id={`${testerId}-hint`} className="muted small">
          {t.comps.testerHint}
        </span>
        <ErrorMessage error={testError} />
        {!testError && results.length > 0 && (
          <ul className="tester-results" aria-live="polite">
            {results.map((r, i) => (
              <li key={i} className={r.match ? 'unsigned' : 'signed'}>
                <span className="mono">{r.address}</span>:{' '}
                {!r.match
                  ? t.comps.testerSigned
                  : r.match.kind === 'candidate'
                    ? t.comps.testerCandidate
                    : fill(t.comps.testerMatched, { id: r.match.id, pattern: r.match.pattern })}
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}

export function HeaderExceptions({ comp }: { comp: CompositionView }) {
  const t = useStrings();
  const [change, error] = useChange();
  const { addHeader, removeException } = useCompositionsStore();
  const [header, setHeader] = useState('');
  const [pattern, setPattern] = useState('');
  const headerId = useId();
  const patternId = useId();
  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    if (await change(() => addHeader(comp.name, header.trim(), pattern.trim()))) {
      setHeader('');
      setPattern('');
    }
  };
  return (
    <section className="card" aria-labelledby="hdr-title">
      <h2 id="hdr-title">{t.comps.header}</h2>
      <p className="muted">{t.comps.headerHint}</p>
      <table className="table compact" aria-labelledby="hdr-title">
        <thead>
          <tr>
            <th scope="col">{t.comps.colEnabled}</th>
            <th scope="col">{t.comps.colId}</th>
            <th scope="col">{t.comps.headerName}</th>
            <th scope="col">{t.comps.valuePattern}</th>
            <th scope="col">{t.comps.note}</th>
            <th scope="col">{t.certs.colActions}</th>
          </tr>
        </thead>
        <tbody>
          {comp.headerExceptions.map((x) => (
            <tr key={x.id} data-exception={x.id}>
              <td>
                <EnabledToggle
                  comp={comp}
                  id={x.id}
                  enabled={x.enabled}
                  label={`${x.header}: ${x.pattern}`}
                  change={change}
                />
              </td>
              <td>{x.id}</td>
              <td>{x.header}</td>
              <td className="mono">{x.pattern}</td>
              <td>
                {x.isDefault && <span className="badge neutral">{t.common.default}</span>} {x.note}
              </td>
              <td>
                <button
                  type="button"
                  disabled={x.isDefault}
                  title={x.isDefault ? t.comps.defaultsLocked : undefined}
                  onClick={() => void change(() => removeException(comp.name, x.id))}
                >
                  {t.common.remove}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" onSubmit={add}>
        <div className="field">
          <label htmlFor={headerId}>{t.comps.headerName}</label>
          <input id={headerId} value={header} onChange={(e) => setHeader(e.target.value)} placeholder="X-Campaign" />
        </div>
        <div className="field grow">
          <label htmlFor={patternId}>{t.comps.valuePattern}</label>
          <input
            id={patternId}
            className="mono"
            value={pattern}
            onChange={(e) => setPattern(e.target.value)}
            placeholder="^no-sign"
          />
        </div>
        <button type="submit" disabled={!header.trim() || !pattern.trim()}>
          {t.comps.addPattern}
        </button>
      </form>
      <ErrorMessage error={error} />
    </section>
  );
}
