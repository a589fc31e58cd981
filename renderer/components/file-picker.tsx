import { useId, useRef, useState } from 'react';
import type { FileKind, PickedFile } from '../../main/contract';
import { api, toUiError, unwrap, type UiError } from '../api';
import { errorText, formatBytes, formatList, useStrings } from '../i18n';
import { useAppStore, useNativeDialogs } from '../stores/app-store';

const EXTENSIONS: Record<FileKind, string[]> = { p12: ['.p12', '.pfx'], eml: ['.eml'], bundle: ['.json'] };

/**
 * Choose a file with the native dialog, or drop one: either way main holds it and we keep only
 * its token. Where main has no native dialog (the browser bridge), "Choose file…" opens the
 * page's own file chooser and the bytes travel as a dropped file's do, so the keyboard alone
 * can still add a file.
 */
export function FilePicker({
  kind,
  label,
  value,
  onChange,
  error,
}: {
  kind: FileKind;
  label: string;
  value: PickedFile | null;
  onChange(f: PickedFile | null): void;
  /** what the form found wrong with the file (it was not a PKCS#12, none was chosen) */
  error?: string | null;
}) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const native = useNativeDialogs();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const [pickError, setPickError] = useState<UiError | null>(null);
  const send = async (file: File) => {
    setPickError(null);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      onChange(await unwrap(api().fileFromDrop({ kind, name: file.name, bytes })));
    } catch (err) {
      setPickError(toUiError(err));
    }
  };
  const choose = async () => {
    setPickError(null);
    if (!native) {
      input.current?.click();
      return;
    }
    try {
      const f = await unwrap(api().openFile({ kind }));
      if (f) onChange(f);
    } catch (e) {
      setPickError(toUiError(e));
    }
  };
  const drop = async (e: React.DragEvent) => {
    e.preventDefault();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file) await send(file);
  };
  const message = pickError ? errorText(pickError.code, lang) : error;
  const errorId = message ? `${id}-error` : undefined;
  return (
    <div className="field">
      <span className="label" id={id}>
        {label}
      </span>
      <div
        role="group"
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
        <button
          type="button"
          onClick={choose}
          aria-describedby={[id, errorId].filter(Boolean).join(' ')}
          data-invalid={message ? 'true' : undefined}
        >
          {t.common.chooseFile}
        </button>
        {!native && (
          <input
            ref={input}
            type="file"
            hidden
            tabIndex={-1}
            accept={EXTENSIONS[kind].join(',')}
            data-testid={`file-input-${kind}`}
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) void send(f);
            }}
          />
        )}
        <span className="muted">
          {t.common.dropHere} ({formatList(EXTENSIONS[kind], lang, 'narrow')})
        </span>
        <span className="file-name" aria-live="polite">
          {value ? `${value.name} (${formatBytes(value.size)})` : t.addCert.noFile}
        </span>
      </div>
      {message && (
        <span id={errorId} className="field-error">
          {message}
          {pickError?.message && <span className="field-error-detail">{pickError.message}</span>}
        </span>
      )}
    </div>
  );
}
