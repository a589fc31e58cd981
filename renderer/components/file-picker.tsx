import { useId, useState } from 'react';
import type { FileKind, PickedFile } from '../../main/contract';
import { api, toUiError, unwrap, type UiError } from '../api';
import { formatBytes, useStrings } from '../i18n';
import { ErrorMessage } from './error-message';

const EXTENSIONS: Record<FileKind, string[]> = { p12: ['.p12', '.pfx'], eml: ['.eml'], bundle: ['.json'] };

/** Choose a file with the native dialog, or drop one: either way main holds it and we keep only its token. */
export function FilePicker({
  kind,
  label,
  value,
  onChange,
}: {
  kind: FileKind;
  label: string;
  value: PickedFile | null;
  onChange(f: PickedFile | null): void;
}) {
  const t = useStrings();
  const id = useId();
  const [over, setOver] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const choose = async () => {
    setError(null);
    try {
      const f = await unwrap(api().openFile({ kind }));
      if (f) onChange(f);
    } catch (e) {
      setError(toUiError(e));
    }
  };
  const drop = async (e: React.DragEvent) => {
    e.preventDefault();
    setOver(false);
    setError(null);
    const file = e.dataTransfer.files[0];
    if (!file) return;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      onChange(await unwrap(api().fileFromDrop({ kind, name: file.name, bytes })));
    } catch (err) {
      setError(toUiError(err));
    }
  };
  return (
    <div className="field">
      <span className="label" id={id}>
        {label}
      </span>
      <div
        className={over ? 'dropzone over' : 'dropzone'}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
        data-testid={`drop-${kind}`}
        aria-labelledby={id}
      >
        <button type="button" onClick={choose} aria-describedby={id}>
          {t.common.chooseFile}
        </button>
        <span className="muted">
          {t.common.dropHere} ({EXTENSIONS[kind].join(', ')})
        </span>
        <span className="file-name" aria-live="polite">
          {value ? `${value.name} (${formatBytes(value.size)})` : t.addCert.noFile}
        </span>
      </div>
      <ErrorMessage error={error} />
    </div>
  );
}
