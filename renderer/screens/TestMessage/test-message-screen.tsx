import { useEffect, useId, useState } from 'react';
import type { Decision, PickedFile } from '../../../main/contract';
import { toUiError, type UiError } from '../../api';
import { ErrorMessage } from '../../components/error-message';
import { FilePicker } from '../../components/file-picker';
import { MimeSource } from '../../components/mime-source';
import { WarningsList } from '../../components/warnings-list';
import { fill, formatBytes, useCodeText, useStrings } from '../../i18n';
import { useCompositionsStore } from '../../stores/compositions-store';
import { usePreviewStore } from '../../stores/preview-store';

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

function Field({
  label,
  value,
  onChange,
  area,
  hint,
}: {
  label: string;
  value: string;
  onChange(v: string): void;
  area?: boolean;
  hint?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {area ? (
        <textarea id={id} rows={2} value={value} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input id={id} value={value} onChange={(e) => onChange(e.target.value)} />
      )}
      {hint && <span className="muted small">{hint}</span>}
    </div>
  );
}

function ReasonText({ d }: { d: Decision }) {
  const t = useStrings();
  const codes = useCodeText();
  const text =
    d.action === 'sign' ? fill(t.test.reason.signed, { email: d.certificate.email }) : t.test.reason[d.reason];
  return (
    <>
      <span>{text}</span>
      {d.action === 'reject' && (
        <strong className="smtp">
          {' '}
          {d.smtp.code} {d.smtp.text}
        </strong>
      )}
      <div className="muted small">{codes.decision(d)}</div>
    </>
  );
}

function Preview() {
  const t = useStrings();
  const codes = useCodeText();
  const result = usePreviewStore((s) => s.result);
  const save = usePreviewStore((s) => s.save);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<UiError | null>(null);
  const [copied, setCopied] = useState(false);
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
      <ErrorMessage error={error} />
      {saved && (
        <p className="success" role="status">
          {fill(t.test.saved, { name: saved })}
        </p>
      )}
      {result.deliveries.map((d) => (
        <section key={d.id} className="card" data-delivery={d.action}>
          <h3>{fill(t.test.delivery, { list: d.recipients.join(', ') })}</h3>
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
                  const name = await save(d.id, `${d.action}-${d.recipients[0] ?? 'message'}.eml`);
                  if (name) setSaved(name);
                } catch (e) {
                  setError(toUiError(e));
                }
              }}
            >
              {t.test.saveEml}
            </button>
          </div>
          <MimeSource source={d.source} />
        </section>
      ))}
    </div>
  );
}

export function TestMessageScreen() {
  const t = useStrings();
  const { list: comps, load } = useCompositionsStore();
  const { sending, send: sendTest } = usePreviewStore();
  const [composition, setComposition] = useState('');
  const [at, setAt] = useState(localNow());
  const [mode, setMode] = useState<'compose' | 'eml'>('compose');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [cc, setCc] = useState('');
  const [bcc, setBcc] = useState('');
  const [copies, setCopies] = useState('');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [attachments, setAttachments] = useState<{ name: string; type: string; bytes: Uint8Array<ArrayBuffer> }[]>([]);
  const [eml, setEml] = useState<PickedFile | null>(null);
  const [mailFrom, setMailFrom] = useState('');
  const [rcpts, setRcpts] = useState('');
  const [error, setError] = useState<UiError | null>(null);
  const compId = useId();
  const atId = useId();
  const attId = useId();
  const bodyId = useId();
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (!composition && comps[0]) setComposition(comps[0].name);
  }, [comps, composition]);

  const send = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const when = new Date(at).toISOString();
      const source =
        mode === 'compose'
          ? {
              kind: 'compose' as const,
              from,
              to: list(to),
              cc: list(cc),
              bcc: list(bcc),
              bccCopies: list(copies),
              subject,
              body,
              attachments,
            }
          : { kind: 'eml' as const, file: eml?.file ?? '', mailFrom, recipients: list(rcpts), bccCopies: list(copies) };
      await sendTest({ name: composition, at: when, source });
    } catch (err) {
      setError(toUiError(err));
    }
  };
  if (comps.length === 0) {
    return (
      <section>
        <h1>{t.test.title}</h1>
        <p className="empty">{t.test.noComposition}</p>
      </section>
    );
  }
  return (
    <section className="split wide-right" aria-labelledby="test-title">
      <form className="list-pane stack" onSubmit={send}>
        <h1 id="test-title">{t.test.title}</h1>
        <div className="field">
          <label htmlFor={compId}>{t.test.composition}</label>
          <select id={compId} value={composition} onChange={(e) => setComposition(e.target.value)}>
            {comps.map((c) => (
              <option key={c.id} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={atId}>{t.test.sendTime}</label>
          <input id={atId} type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
        </div>
        <fieldset className="segmented">
          <legend>{t.test.mode}</legend>
          <label>
            <input type="radio" name="mode" checked={mode === 'compose'} onChange={() => setMode('compose')} />{' '}
            {t.test.compose}
          </label>
          <label>
            <input type="radio" name="mode" checked={mode === 'eml'} onChange={() => setMode('eml')} /> {t.test.openEml}
          </label>
        </fieldset>
        {mode === 'compose' ? (
          <>
            <Field label={t.test.from} value={from} onChange={setFrom} />
            <Field label={t.test.to} value={to} onChange={setTo} area hint={t.test.listHint} />
            <Field label={t.test.cc} value={cc} onChange={setCc} />
            <Field label={t.test.bcc} value={bcc} onChange={setBcc} />
            <Field label={t.test.bccCopies} value={copies} onChange={setCopies} />
            <Field label={t.test.subject} value={subject} onChange={setSubject} />
            <div className="field">
              <label htmlFor={bodyId}>{t.test.body}</label>
              <textarea id={bodyId} rows={6} value={body} onChange={(e) => setBody(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor={attId}>{t.test.attachments}</label>
              <input
                id={attId}
                type="file"
                multiple
                onChange={async (e) => {
                  const files = [...(e.target.files ?? [])];
                  setAttachments(
                    await Promise.all(
                      files.map(async (f) => ({
                        name: f.name,
                        type: f.type || 'application/octet-stream',
                        bytes: new Uint8Array(await f.arrayBuffer()),
                      })),
                    ),
                  );
                }}
              />
            </div>
          </>
        ) : (
          <>
            <FilePicker kind="eml" label={t.test.openEml} value={eml} onChange={setEml} />
            <Field label={t.test.mailFrom} value={mailFrom} onChange={setMailFrom} />
            <Field label={t.test.recipients} value={rcpts} onChange={setRcpts} area hint={t.test.listHint} />
            <Field label={t.test.bccCopies} value={copies} onChange={setCopies} />
          </>
        )}
        <ErrorMessage error={error} />
        <button type="submit" className="primary" disabled={sending || (mode === 'eml' && !eml)}>
          {sending ? t.common.working : t.test.send}
        </button>
      </form>
      <div className="detail-pane" aria-label={t.test.preview}>
        <h2>{t.test.preview}</h2>
        <Preview />
      </div>
    </section>
  );
}
