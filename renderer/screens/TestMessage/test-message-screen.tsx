import { useEffect, useId, useRef, useState } from 'react';
import type { Decision, PreviewDelivery } from '../../../main/contract';
import { toUiError, type UiError } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { FilePicker } from '../../components/file-picker';
import { MimeSource } from '../../components/mime-source';
import { useForm, type Problems } from '../../components/use-form';
import { WarningsList } from '../../components/warnings-list';
import { fill, formatBytes, formatList, useCodeText, useStrings } from '../../i18n';
import { useAppStore, useNativeDialogs } from '../../stores/app-store';
import { useCompositionsStore } from '../../stores/compositions-store';
import { usePreviewStore } from '../../stores/preview-store';
import { useDraft, useTestDraftStore } from '../../stores/test-draft-store';
import { LoadState } from '../../components/load-state';

const list = (s: string) =>
  s
    .split(/[\n,;]/)
    .map((x) => x.trim())
    .filter(Boolean);

function localNow(): string {
  const d = new Date();
  d.setSeconds(0, 0);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

type Key =
  | 'composition'
  | 'at'
  | 'from'
  | 'to'
  | 'cc'
  | 'bcc'
  | 'copies'
  | 'subject'
  | 'body'
  | 'attachments'
  | 'eml'
  | 'mailFrom'
  | 'rcpts';

function ReasonText({ d }: { d: Decision }) {
  const t = useStrings();
  const codes = useCodeText();
  const text =
    d.action === 'sign' ? fill(t.test.reason.signed, { email: d.certificate.email }) : t.test.reason[d.reason];
  const detail = codes.decision(d);
  return (
    <>
      <span>{text}</span>
      {d.action === 'reject' && (
        <strong className="smtp">
          {' '}
          {d.smtp.code} {d.smtp.text}
        </strong>
      )}
      {/* the detail says which exception or certificate; when it only repeats the reason, it is left out */}
      {detail !== text && <div className="muted small">{detail}</div>}
    </>
  );
}

type Attachment = { name: string; type: string; bytes: Uint8Array<ArrayBuffer> };

/**
 * The attachments of a composed test message: a button in the UI's language (a browser's own file
 * input speaks the system's), the names of the files chosen, and a way to remove them. The files
 * stay with the draft when the admin visits another screen. As FilePicker, it is a labelled group:
 * the button keeps its visible text as its name, and the field's label and error describe it.
 */
function Attachments({
  label,
  error,
  files,
  onChange,
}: {
  label: string;
  error: string | null;
  files: Attachment[];
  onChange(files: Attachment[]): void;
}) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  // the newest choice wins, even if an older one is still being read
  const picks = useRef(0);
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className="field">
      <span className="label" id={`${id}-label`}>
        {label}
      </span>
      <div className="attachments" role="group" aria-labelledby={`${id}-label`}>
        <button
          type="button"
          aria-describedby={[`${id}-label`, `${id}-list`, errorId].filter(Boolean).join(' ')}
          data-invalid={error ? 'true' : undefined}
          onClick={() => input.current?.click()}
        >
          {t.test.chooseAttachments}
        </button>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          tabIndex={-1}
          data-testid="file-input-attachments"
          onChange={async (e) => {
            const pick = ++picks.current;
            const chosen = [...(e.target.files ?? [])];
            e.target.value = '';
            const read = await Promise.all(
              chosen.map(async (f) => ({
                name: f.name,
                type: f.type || 'application/octet-stream',
                bytes: new Uint8Array(await f.arrayBuffer()),
              })),
            );
            if (pick === picks.current) onChange(read);
          }}
        />
        <span id={`${id}-list`} className="file-name" aria-live="polite">
          {files.length === 0
            ? t.test.noAttachments
            : formatList(
                files.map((f) => `${f.name} (${formatBytes(f.bytes.length)})`),
                lang,
              )}
        </span>
        {files.length > 0 && (
          <button type="button" className="link" onClick={() => onChange([])}>
            {t.test.clearAttachments}
          </button>
        )}
      </div>
      {error && (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/** One delivery: its verification, warnings, the buttons for its bytes, and the message itself. */
function Delivery({ d }: { d: PreviewDelivery }) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const codes = useCodeText();
  const save = usePreviewStore((s) => s.save);
  const saved = usePreviewStore((s) => s.saved[d.id]);
  const native = useNativeDialogs();
  const [error, setError] = useState<UiError | null>(null);
  const [copied, setCopied] = useState(false);
  return (
    <section className="card" data-delivery={d.action}>
      <h3>{fill(t.test.delivery, { list: formatList(d.recipients, lang) })}</h3>
      {d.verification && (
        <div className={d.verification.valid ? 'verify ok' : 'verify bad'} data-testid="verification">
          <strong>
            {d.verification.valid
              ? t.test.valid
              : fill(t.test.invalid, {
                  reason: d.verification.failure ? codes.verify(d.verification.failure) : '',
                })}
          </strong>
          <div>
            {t.test.signer}: {d.verification.signerEmail} — {d.verification.signer?.subject}
          </div>
          <div>{d.verification.fromMatches ? t.test.fromMatches : t.test.fromDiffers}</div>
        </div>
      )}
      {d.warnings.length > 0 && (
        <>
          <h4>{t.test.expiry}</h4>
          <WarningsList warnings={d.warnings} />
        </>
      )}
      <div className="row">
        <h4>{d.action === 'sign' ? t.test.source : t.test.unsignedSource}</h4>
        <span className="muted">{formatBytes(d.size)}</span>
        <button
          type="button"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(d.source);
              setCopied(true);
              setTimeout(() => setCopied(false), 2000);
            } catch {
              setCopied(false);
            }
          }}
        >
          {copied ? t.common.copied : t.common.copy}
        </button>
        <button
          type="button"
          onClick={async () => {
            setError(null);
            try {
              await save(d.id, `${d.action}-${d.recipients[0] ?? 'message'}.eml`);
            } catch (e) {
              setError(toUiError(e));
            }
          }}
        >
          {t.test.saveEml}
        </button>
        {saved && (
          <span className="success" role="status">
            {fill(native ? t.test.saved : t.test.savedToExports, { name: saved })}
          </span>
        )}
      </div>
      <ErrorMessage error={error} />
      <MimeSource source={d.source} decoded={d.decoded} />
    </section>
  );
}

function Preview() {
  const t = useStrings();
  const result = usePreviewStore((s) => s.result);
  if (!result) return <p className="muted">{t.test.noPreview}</p>;
  return (
    <div className="preview" data-testid="preview">
      <h3>{t.test.decisions}</h3>
      <table className="table compact">
        <thead>
          <tr>
            <th scope="col">{t.test.colRecipient}</th>
            <th scope="col">{t.test.colAction}</th>
            <th scope="col">{t.test.colReason}</th>
          </tr>
        </thead>
        <tbody>
          {result.decisions.map((d, i) => (
            <tr key={i} data-recipient={d.recipient} data-action={d.action}>
              <td className="mono">{d.recipient}</td>
              <td>
                <span className={`badge ${d.action === 'sign' ? 'ok' : d.action === 'reject' ? 'bad' : 'neutral'}`}>
                  {t.test.action[d.action]}
                </span>
              </td>
              <td>
                <ReasonText d={d} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {result.deliveries.map((d) => (
        <Delivery key={d.id} d={d} />
      ))}
    </div>
  );
}

export function TestMessageScreen() {
  const t = useStrings();
  const { list: comps, loaded, loadError, load } = useCompositionsStore();
  const { sending, send: sendTest } = usePreviewStore();
  // the draft outlives the screen: another screen visited, or the language switched, keeps it
  const [compositionId, setCompositionId] = useDraft('compositionId');
  const composition = (comps.find((c) => c.id === compositionId) ?? comps[0])?.name ?? '';
  // the send time starts as the time the screen first opened, then is the admin's to edit (or clear)
  const [at, setAt] = useDraft('at');
  useEffect(() => {
    if (!useTestDraftStore.getState().at) useTestDraftStore.setState({ at: localNow() });
  }, []);
  const [mode, setMode] = useDraft('mode');
  const [values, setValues] = useDraft('values');
  const [attachments, setAttachments] = useDraft('attachments');
  const [eml, setEml] = useDraft('eml');
  const labels: Record<Key, string> = {
    composition: t.test.composition,
    at: t.test.sendTime,
    from: t.test.from,
    to: t.test.to,
    cc: t.test.cc,
    bcc: t.test.bcc,
    copies: t.test.bccCopies,
    subject: t.test.subject,
    body: t.test.body,
    attachments: t.test.attachments,
    eml: t.test.openEml,
    mailFrom: t.test.mailFrom,
    rcpts: t.test.recipients,
  };
  const form = useForm<Key>({
    labels,
    paths: {
      name: 'composition',
      at: 'at',
      'source.from': 'from',
      'source.to': 'to',
      'source.cc': 'cc',
      'source.bcc': 'bcc',
      'source.bccCopies': 'copies',
      'source.subject': 'subject',
      'source.body': 'body',
      'source.attachments': 'attachments',
      'source.file': 'eml',
      'source.mailFrom': 'mailFrom',
      'source.recipients': 'rcpts',
    },
    codes: { COMPOSITION_NOT_FOUND: 'composition', FILE_TOKEN_UNKNOWN: 'eml' },
  });
  useEffect(() => {
    void load();
  }, [load]);
  const set = (k: keyof typeof values) => (v: string) => {
    setValues((old) => ({ ...old, [k]: v }));
    form.clear(k);
  };
  const text = (k: keyof typeof values, opts: { area?: boolean; hint?: string; rows?: number } = {}) => (
    <Field label={labels[k]} hint={opts.hint} {...form.field(k)}>
      {(p) =>
        opts.area ? (
          <textarea {...p} rows={opts.rows ?? 2} value={values[k]} onChange={(e) => set(k)(e.target.value)} />
        ) : (
          <input {...p} value={values[k]} onChange={(e) => set(k)(e.target.value)} />
        )
      }
    </Field>
  );

  const check = (): Problems<Key> => {
    const need = (k: Key, v: string) => (v.trim() ? undefined : fill(t.fieldIssue.required, { label: labels[k] }));
    const when = Number.isNaN(new Date(at).getTime()) ? fill(t.fieldIssue.required, { label: labels.at }) : undefined;
    if (mode === 'compose') {
      const noRecipient = [values.to, values.cc, values.bcc].every((x) => list(x).length === 0);
      return {
        at: when,
        from: need('from', values.from),
        to: noRecipient ? t.test.recipientsRequired : undefined,
      };
    }
    return { at: when, eml: eml ? undefined : t.test.emlMissing, rcpts: need('rcpts', values.rcpts) };
  };
  const send = async (e: React.FormEvent) => {
    e.preventDefault();
    await form.run(check, async () => {
      const when = new Date(at).toISOString();
      const source =
        mode === 'compose'
          ? {
              kind: 'compose' as const,
              from: values.from.trim(),
              to: list(values.to),
              cc: list(values.cc),
              bcc: list(values.bcc),
              bccCopies: list(values.copies),
              subject: values.subject,
              body: values.body,
              attachments,
            }
          : {
              kind: 'eml' as const,
              file: eml!.file,
              mailFrom: values.mailFrom.trim(),
              recipients: list(values.rcpts),
              bccCopies: list(values.copies),
            };
      await sendTest({ name: composition, at: when, source });
    });
  };
  if (!loaded || comps.length === 0) {
    return (
      <section aria-labelledby="test-title">
        <h1 id="test-title" tabIndex={-1}>
          {t.test.title}
        </h1>
        {!loaded ? (
          <LoadState text={t.test.loading} error={loadError} onRetry={() => void load()} />
        ) : (
          <p className="empty">{t.test.noComposition}</p>
        )}
      </section>
    );
  }
  return (
    <section className="split wide-right" aria-labelledby="test-title">
      <form className="list-pane stack" onSubmit={send} ref={form.ref} noValidate>
        <h1 id="test-title" tabIndex={-1}>
          {t.test.title}
        </h1>
        <Field label={labels.composition} hint={t.test.compositionHint} {...form.field('composition')}>
          {(p) => (
            <select
              {...p}
              value={comps.find((c) => c.name === composition)?.id ?? ''}
              onChange={(e) => setCompositionId(e.target.value)}
            >
              {comps.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={labels.at} {...form.field('at')}>
          {(p) => <input {...p} type="datetime-local" {...form.bind('at', at, setAt)} />}
        </Field>
        <fieldset className="segmented">
          <legend>{t.test.mode}</legend>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === 'compose'}
              onChange={() => {
                setMode('compose');
                form.clear();
              }}
            />{' '}
            {t.test.compose}
          </label>
          <label>
            <input
              type="radio"
              name="mode"
              checked={mode === 'eml'}
              onChange={() => {
                setMode('eml');
                form.clear();
              }}
            />{' '}
            {t.test.openEml}
          </label>
        </fieldset>
        {mode === 'compose' ? (
          <>
            {text('from')}
            {text('to', { area: true, hint: t.test.listHint })}
            {text('cc')}
            {text('bcc')}
            {text('copies', { hint: t.test.copiesHint })}
            {text('subject')}
            {text('body', { area: true, rows: 6 })}
            <Attachments
              label={labels.attachments}
              error={form.field('attachments').error}
              files={attachments}
              onChange={(files) => {
                form.clear('attachments');
                setAttachments(files);
              }}
            />
          </>
        ) : (
          <>
            <FilePicker
              kind="eml"
              label={t.test.openEml}
              value={eml}
              error={form.field('eml').error}
              onChange={(f) => {
                setEml(f);
                form.clear('eml');
              }}
            />
            {text('mailFrom')}
            {text('rcpts', { area: true, hint: t.test.listHint })}
            {text('copies', { hint: t.test.copiesHint })}
          </>
        )}
        <ErrorMessage error={form.general} />
        <button type="submit" className="primary" disabled={sending}>
          {sending ? t.common.working : t.test.send}
        </button>
      </form>
      <div className="detail-pane" role="region" aria-labelledby="preview-title">
        <h2 id="preview-title">{t.test.preview}</h2>
        <Preview />
      </div>
    </section>
  );
}
