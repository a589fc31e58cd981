import { useId, useState } from 'react';
import type { ImportResult, PickedFile } from '../../../main/contract';
import { ErrorMessage } from '../../components/error-message';
import { FilePicker } from '../../components/file-picker';
import { useAction } from '../../components/use-action';
import { fill, useStrings } from '../../i18n';
import { useReflectStore } from '../../stores/reflect-store';
import { ChangesList } from './changes-list';

/**
 * Import is a merge with consent: the bundle and its passphrase first show what importing does
 * (adds, replaces, changes; local changes it would discard; whether it is older than the last
 * reflection), and only the admin's explicit consent to each of those imports it.
 */
export function ImportBundle() {
  const t = useStrings();
  const { importPreview: preview, previewImport, clearImportPreview, importBundle } = useReflectStore();
  const [file, setFile] = useState<PickedFile | null>(null);
  const [pass, setPass] = useState('');
  const [discard, setDiscard] = useState(false);
  const [older, setOlder] = useState(false);
  const [result, setResult] = useState<ImportResult | null>(null);
  const previewing = useAction();
  const importing = useAction();
  const id = useId();
  const reset = () => {
    clearImportPreview();
    setDiscard(false);
    setOlder(false);
  };
  const showPreview = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setResult(null);
    reset();
    await previewing.run(() => previewImport(file.file, pass));
  };
  const needsDiscard = (preview?.discardsPending.length ?? 0) > 0;
  const needsOlder = preview?.older === true;
  const consented = (!needsDiscard || discard) && (!needsOlder || older);
  const doImport = async () => {
    if (!file || !preview || !consented) return;
    const r = await importing.run(() =>
      importBundle(file.file, pass, { discardPending: needsDiscard && discard, allowOlder: needsOlder && older }),
    );
    if (r) {
      setResult(r);
      setDiscard(false);
      setOlder(false);
    }
  };
  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">{t.reflect.importTitle}</h2>
      <p className="muted">{t.reflect.importHint}</p>
      <form onSubmit={showPreview} className="stack">
        <FilePicker
          kind="bundle"
          label={t.reflect.importTitle}
          value={file}
          onChange={(f) => {
            setFile(f);
            reset();
          }}
        />
        <div className="field">
          <label htmlFor={id}>{t.reflect.passphrase}</label>
          <input
            id={id}
            type="password"
            value={pass}
            onChange={(e) => {
              setPass(e.target.value);
              if (preview) reset();
            }}
            autoComplete="off"
          />
        </div>
        <div className="row">
          <button type="submit" disabled={!file || !pass || previewing.busy}>
            {previewing.busy ? t.common.working : t.importPreview.preview}
          </button>
        </div>
      </form>
      <ErrorMessage error={previewing.error} />
      {preview && (
        <div className="import-preview stack" data-testid="import-preview">
          <h3>{fill(t.importPreview.title, { name: preview.composition })}</h3>
          {preview.createsComposition && <p>{fill(t.importPreview.creates, { name: preview.composition })}</p>}
          <p className="muted">{fill(t.importPreview.serial, { serial: preview.serial })}</p>
          {preview.certificatesAdded.length > 0 && (
            <div>
              <h4>{t.importPreview.added}</h4>
              <ul className="plain-list mono">
                {preview.certificatesAdded.map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
            </div>
          )}
          {preview.certificatesUpdated.length > 0 && (
            <div>
              <h4>{t.importPreview.updated}</h4>
              <ul className="plain-list mono">
                {preview.certificatesUpdated.map((e) => (
                  <li key={e}>{e}</li>
                ))}
              </ul>
            </div>
          )}
          {!preview.createsComposition && (
            <div data-testid="import-changes">
              <h4>{t.importPreview.changes}</h4>
              <ChangesList changes={preview.changes} empty={t.importPreview.noChanges} />
            </div>
          )}
          {(needsDiscard || needsOlder) && (
            <div className="warning-box stack" role="alert" data-testid="import-warnings">
              {needsOlder && (
                <p>{fill(t.importPreview.older, { name: preview.composition, serial: preview.serial })}</p>
              )}
              {needsDiscard && (
                <div data-testid="import-discards">
                  <p>{fill(t.importPreview.discard, { n: preview.discardsPending.length })}</p>
                  <ChangesList changes={preview.discardsPending} />
                </div>
              )}
              {needsDiscard && (
                <label>
                  <input type="checkbox" checked={discard} onChange={(e) => setDiscard(e.target.checked)} />{' '}
                  {t.importPreview.consentDiscard}
                </label>
              )}
              {needsOlder && (
                <label>
                  <input type="checkbox" checked={older} onChange={(e) => setOlder(e.target.checked)} />{' '}
                  {t.importPreview.consentOlder}
                </label>
              )}
            </div>
          )}
          <ErrorMessage error={importing.error} />
          {!consented && <p className="muted small">{t.importPreview.needsConsent}</p>}
          <div className="row">
            <button type="button" onClick={reset}>
              {t.common.cancel}
            </button>
            <button
              type="button"
              className="primary"
              disabled={!consented || importing.busy}
              onClick={() => void doImport()}
            >
              {importing.busy ? t.common.working : t.reflect.importButton}
            </button>
          </div>
        </div>
      )}
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
