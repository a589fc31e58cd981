import { useEffect, useId, useState } from 'react';
import type { ImportResult, PickedFile } from '../../../main/contract';
import { ConfirmedSecret, confirmationProblem } from '../../components/confirmed-secret';
import { useAction } from '../../components/use-action';
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { FilePicker } from '../../components/file-picker';
import { fill, formatBytes, formatDate, useCodeText, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { useReflectStore } from '../../stores/reflect-store';

function ReflectDialog({ name, onClose }: { name: string; onClose(): void }) {
  const t = useStrings();
  const { progress, reflect } = useReflectStore();
  const notify = useAppStore((s) => s.notify);
  const [value, setValue] = useState<[string, string]>(['', '']);
  const [problem, setProblem] = useState<string | null>(null);
  const { busy, error, run } = useAction();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const p = confirmationProblem(value[0], value[1], 12);
    setProblem(p === 'too-short' ? t.reflect.tooShort : p === 'mismatch' ? t.reflect.mismatch : null);
    if (p) return;
    await run(async () => {
      if (await reflect(name, value[0])) onClose();
      else notify(t.reflect.cancelled);
    });
  };
  return (
    <Dialog title={fill(t.reflect.dialogTitle, { name })} onClose={onClose}>
      <form onSubmit={submit} className="stack">
        <ConfirmedSecret
          label={t.reflect.passphrase}
          repeatLabel={t.reflect.passphrase2}
          hint={t.reflect.passphraseHint}
          value={value}
          onChange={setValue}
        />
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        <ErrorMessage error={error} />
        {busy && progress && progress.name === name && (
          <p role="status" aria-live="polite">
            {t.reflect.progress[progress.step]}
          </p>
        )}
        <div className="row end">
          <button type="button" onClick={onClose}>
            {t.common.cancel}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t.common.working : t.reflect.export}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ImportBundle() {
  const t = useStrings();
  const [file, setFile] = useState<PickedFile | null>(null);
  const [pass, setPass] = useState('');
  const [result, setResult] = useState<ImportResult | null>(null);
  const { busy, error, run } = useAction();
  const importBundle = useReflectStore((s) => s.importBundle);
  const id = useId();
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setResult(null);
    await run(async () => {
      setResult(await importBundle(file.file, pass));
    });
  };
  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">{t.reflect.importTitle}</h2>
      <p className="muted">{t.reflect.importHint}</p>
      <form onSubmit={submit} className="stack">
        <FilePicker kind="bundle" label={t.reflect.importTitle} value={file} onChange={setFile} />
        <div className="field">
          <label htmlFor={id}>{t.reflect.passphrase}</label>
          <input id={id} type="password" value={pass} onChange={(e) => setPass(e.target.value)} autoComplete="off" />
        </div>
        <button type="submit" disabled={!file || !pass || busy}>
          {t.reflect.importButton}
        </button>
      </form>
      <ErrorMessage error={error} />
      {result && (
        <p className="success" role="status">
          {fill(t.reflect.imported, {
            name: result.composition,
            added: result.certificatesAdded.length,
            updated: result.certificatesUpdated.length,
            unchanged: result.certificatesUnchanged.length,
          })}
        </p>
      )}
    </section>
  );
}

export function ReflectScreen() {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const codes = useCodeText();
  const { pending, loaded, load, result, setProgress } = useReflectStore();
  const [reflecting, setReflecting] = useState<string | null>(null);
  useEffect(() => {
    void load();
    return window.smime.onReflectProgress((p) => setProgress(p));
  }, [load, setProgress]);
  return (
    <section aria-labelledby="reflect-title">
      <h1 id="reflect-title">{t.reflect.title}</h1>
      <p>{t.reflect.intro}</p>
      {loaded && pending.length === 0 && <p className="empty">{t.reflect.noCompositions}</p>}
      <ul className="pending-list">
        {pending.map((p) => (
          <li key={p.composition} className="card" data-composition={p.composition}>
            <div className="toolbar">
              <h2>{p.composition}</h2>
              <span className={p.changes.length ? 'badge warn' : 'badge ok'}>
                {p.changes.length === 0
                  ? t.reflect.upToDate
                  : p.lastReflectedAt
                    ? fill(t.reflect.changes, { n: p.changes.length })
                    : t.reflect.neverReflected}
              </span>
              <button type="button" className="primary" onClick={() => setReflecting(p.composition)}>
                {t.reflect.reflectButton}
              </button>
            </div>
            {p.lastReflectedAt && (
              <p className="muted">
                {fill(t.reflect.lastReflected, { at: formatDate(p.lastReflectedAt, lang, true) })}
              </p>
            )}
            {p.changes.length > 0 && p.lastReflectedAt && (
              <ul className="changes">
                {p.changes.map((c, i) => (
                  <li key={i} data-kind={c.kind}>
                    {t.reflect.kind[c.kind]}: <span className="mono">{c.subject}</span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      {result && (
        <section className="card success" aria-labelledby="result-title" data-testid="reflect-result">
          <h2 id="result-title">{t.reflect.result}</h2>
          <dl>
            <dt>{t.reflect.file}</dt>
            <dd className="mono">{result.file}</dd>
            <dt>{t.reflect.size}</dt>
            <dd>{formatBytes(result.size)}</dd>
            <dt>{t.reflect.fingerprint}</dt>
            <dd className="mono small">{result.fingerprintSha256}</dd>
            <dt>{t.reflect.certificates}</dt>
            <dd>{result.certificates}</dd>
          </dl>
          {result.warnings.length > 0 && (
            <ul className="warnings">
              {result.warnings.map((w, i) => (
                <li key={i} className="sev-warning" data-code={w.code}>
                  {codes.reflect(w)}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      <ImportBundle />
      {reflecting && <ReflectDialog name={reflecting} onClose={() => setReflecting(null)} />}
    </section>
  );
}
