import { useEffect, useId, useState } from 'react';
import type {
  CompositionView,
  DestinationExceptionView,
  HeaderExceptionView,
  TesterMatch,
} from '../../../main/contract';
import { toUiError, type UiError } from '../../api';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { ErrorMessage } from '../../components/error-message';
import { Field } from '../../components/field';
import { PatternText } from '../../components/pattern-text';
import { useAction } from '../../components/use-action';
import { required, useForm, type Problems } from '../../components/use-form';
import { errorText, fill, fillNodes, useStrings } from '../../i18n';
import type { Strings } from '../../i18n/strings';
import { PATTERN_MAX } from './limits';
import { useAppStore } from '../../stores/app-store';
import { draftKey, useCompositionsStore, type ExceptionDraft } from '../../stores/compositions-store';

type AnyException = DestinationExceptionView | HeaderExceptionView;
type EditKey = 'header' | 'pattern' | 'note';

/** RFC 5322 field name, as the core checks it (main/core/relay/patterns.ts). */
const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]{1,76}$/;

const isHeader = (x: AnyException): x is HeaderExceptionView => 'header' in x;
const described = (x: AnyException) => (isHeader(x) ? `${x.header}: ${x.pattern}` : x.pattern);

function exceptionSpec(t: Strings) {
  const labels = { header: t.comps.headerName, pattern: t.comps.pattern, note: t.comps.note };
  return {
    labels,
    paths: { header: 'header' as const, pattern: 'pattern' as const, note: 'note' as const },
    codes: {
      PATTERN_INVALID: 'pattern' as const,
      HEADER_NAME_INVALID: ['header', t.comps.headerRule] as ['header', string],
    },
  };
}

function checkException(t: Strings, v: { header?: string; pattern: string }): Problems<EditKey> {
  return {
    ...required(
      t,
      { header: t.comps.headerName, pattern: t.comps.pattern },
      {
        pattern: v.pattern,
        ...(v.header !== undefined ? { header: v.header } : {}),
      },
    ),
    ...(v.header !== undefined && v.header.trim() && !HEADER_NAME.test(v.header.trim())
      ? { header: t.comps.headerRule }
      : {}),
    ...(patternTooLong(v.pattern) ? { pattern: tooLongText(t) } : {}),
  };
}

const patternTooLong = (pattern: string): boolean => pattern.trim().length > PATTERN_MAX;
const tooLongText = (t: Strings): string =>
  fill(t.fieldIssue['too-long'], { label: t.comps.pattern, limit: PATTERN_MAX });

/** Back to the row's Edit button once an edit is saved or cancelled, so the keyboard stays where it was. */
function focusEditButton(key: string): void {
  requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-edit="${key}"]`)?.focus());
}

/** Runs a call to main, keeping its error for the table (useAction's run). */
type Run = ReturnType<typeof useAction>['run'];

/** The on/off box of one exception row: the only control a default has. */
function EnabledToggle({ comp, x, run }: { comp: CompositionView; x: AnyException; run: Run }) {
  const t = useStrings();
  const setExceptionEnabled = useCompositionsStore((s) => s.setExceptionEnabled);
  return (
    <input
      type="checkbox"
      checked={x.enabled}
      aria-label={`${t.common.enabled} #${x.id} ${described(x)}`}
      onChange={(e) => void run(() => setExceptionEnabled(comp.name, x.id, e.target.checked))}
    />
  );
}

/** An exception being edited: Enter saves, Escape cancels, the draft survives leaving the screen. */
function EditRow({ comp, x, draft }: { comp: CompositionView; x: AnyException; draft: ExceptionDraft }) {
  const t = useStrings();
  const { updateException, setDraft } = useCompositionsStore();
  const form = useForm<EditKey>(exceptionSpec(t));
  const key = draftKey(comp.id, x.id);
  const hintId = useId();
  const set = (patch: Partial<ExceptionDraft>, k: EditKey) => {
    setDraft(key, { ...draft, ...patch });
    form.clear(k);
  };
  const cancel = () => {
    setDraft(key, null);
    focusEditButton(key);
  };
  const save = () =>
    form.run(
      () => checkException(t, draft),
      async () => {
        await updateException(comp.name, x.id, {
          pattern: draft.pattern.trim(),
          note: draft.note.trim(),
          ...(draft.header !== undefined ? { header: draft.header.trim() } : {}),
        });
        focusEditButton(key);
      },
    );
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (!(e.target instanceof HTMLInputElement)) return;
    if (e.key === 'Enter') {
      e.preventDefault();
      void save();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      cancel();
    }
  };
  const input = (k: EditKey, label: string, value: string, mono: boolean) => {
    const err = form.field(k);
    const errId = `${hintId}-${k}`;
    return (
      <>
        <input
          className={mono ? 'mono' : undefined}
          aria-label={label}
          value={value}
          autoFocus={k === 'pattern'}
          aria-invalid={err.error ? true : undefined}
          aria-describedby={[err.error ? errId : undefined, hintId].filter(Boolean).join(' ')}
          onChange={(e) => set({ [k]: e.target.value }, k)}
        />
        {err.error && (
          <span id={errId} className="field-error">
            {err.error}
            {err.detail && <span className="field-error-detail">{err.detail}</span>}
          </span>
        )}
      </>
    );
  };
  return (
    <tr data-exception={x.id} className="editing" onKeyDown={onKeyDown} ref={form.ref as never}>
      <td>
        <input type="checkbox" checked={x.enabled} disabled aria-label={`${t.common.enabled} #${x.id}`} />
      </td>
      <td>{x.id}</td>
      {draft.header !== undefined && <td>{input('header', t.comps.headerName, draft.header, false)}</td>}
      <td>{input('pattern', t.comps.pattern, draft.pattern, true)}</td>
      <td>{input('note', t.comps.note, draft.note, false)}</td>
      <td>
        <span className="actions">
          <button type="button" className="primary" onClick={() => void save()} disabled={form.busy}>
            {t.common.save}
          </button>
          <button type="button" onClick={cancel}>
            {t.common.cancel}
          </button>
        </span>
        <span id={hintId} className="muted small edit-hint">
          {t.comps.unsaved}
        </span>
        <ErrorMessage error={form.general} />
      </td>
    </tr>
  );
}

function ViewRow({
  comp,
  x,
  onRemove,
  runToggle,
}: {
  comp: CompositionView;
  x: AnyException;
  onRemove(x: AnyException): void;
  runToggle: Run;
}) {
  const t = useStrings();
  const setDraft = useCompositionsStore((s) => s.setDraft);
  const key = draftKey(comp.id, x.id);
  return (
    <tr data-exception={x.id}>
      <td>
        <EnabledToggle comp={comp} x={x} run={runToggle} />
      </td>
      <td>{x.id}</td>
      {isHeader(x) && <td>{x.header}</td>}
      <td>
        <PatternText pattern={x.pattern} />
      </td>
      <td>
        {x.matchesEverything && (
          <div className="catch-all">
            <span className="badge warn" data-testid="matches-everything">
              {isHeader(x) ? t.comps.matchesEveryValue : t.comps.matchesEveryAddress}
            </span>{' '}
            <span className="small">
              {isHeader(x) ? t.comps.matchesEverythingHeaderTitle : t.comps.matchesEverythingTitle}
            </span>
          </div>
        )}
        {x.isDefault && <span className="badge neutral">{t.common.default}</span>}{' '}
        {'preset' in x && x.preset && <span className="muted">{t.comps.preset[x.preset]}</span>}{' '}
        {(x.isDefault && isHeader(x) && t.comps.defaultHeaderNote[x.pattern]) || x.note}
      </td>
      <td>
        {!x.isDefault && (
          <span className="actions">
            <button
              type="button"
              data-edit={key}
              aria-label={fill(t.comps.editLabel, { id: x.id, pattern: described(x) })}
              onClick={() =>
                setDraft(key, {
                  pattern: x.pattern,
                  note: x.note ?? '',
                  ...(isHeader(x) ? { header: x.header } : {}),
                })
              }
            >
              {t.common.edit}
            </button>
            <button
              type="button"
              aria-label={fill(t.comps.removeLabel, { id: x.id, pattern: described(x) })}
              onClick={() => onRemove(x)}
            >
              {t.common.remove}
            </button>
          </span>
        )}
      </td>
    </tr>
  );
}

/**
 * The rows of one kind of exception, and what goes with them: removal asked first (in a dialog
 * naming the pattern), and the errors of the on/off boxes and removals under the table.
 */
function useExceptionRows(comp: CompositionView, items: AnyException[]) {
  const t = useStrings();
  const drafts = useCompositionsStore((s) => s.drafts);
  const removeException = useCompositionsStore((s) => s.removeException);
  const [removing, setRemoving] = useState<AnyException | null>(null);
  // a toggle's error and a removal's are kept apart: the next toggle that works clears its own,
  // and the removal dialog opens without an older toggle error in it
  const toggle = useAction();
  const { busy, error, setError, run } = useAction();
  const rows = items.map((x) => {
    const draft = drafts[draftKey(comp.id, x.id)];
    return draft && !x.isDefault ? (
      <EditRow key={x.id} comp={comp} x={x} draft={draft} />
    ) : (
      <ViewRow
        key={x.id}
        comp={comp}
        x={x}
        onRemove={(r) => {
          setError(null);
          setRemoving(r);
        }}
        runToggle={toggle.run}
      />
    );
  });
  const after = (
    <>
      <ErrorMessage error={toggle.error} />
      {!removing && <ErrorMessage error={error} />}
      {removing && (
        <ConfirmDialog
          title={fill(t.comps.confirmRemoveTitle, { id: removing.id })}
          confirmLabel={t.common.remove}
          busy={busy}
          onClose={() => {
            setRemoving(null);
            setError(null);
          }}
          onConfirm={() =>
            void run(async () => {
              await removeException(comp.name, removing.id);
              setRemoving(null);
            })
          }
        >
          <p>
            {fillNodes(t.comps.confirmRemoveText, {
              pattern: <PatternText pattern={described(removing)} />,
            })}
          </p>
          <ErrorMessage error={error} />
        </ConfirmDialog>
      )}
    </>
  );
  return { rows, after };
}

/** The typed pattern checked as it is typed: what is wrong with it appears under it before anything is sent. */
function useLivePattern(comp: CompositionView, pattern: string, addresses: string[]) {
  const testDestinations = useCompositionsStore((s) => s.testDestinations);
  const [results, setResults] = useState<TesterMatch[]>([]);
  const [error, setError] = useState<UiError | null>(null);
  const key = addresses.join('\n');
  useEffect(() => {
    // a pattern too long to send is said under the field; the addresses are tried against the exceptions in place
    const candidate = patternTooLong(pattern) ? '' : pattern.trim();
    if (!candidate && addresses.length === 0) {
      setResults([]);
      setError(null);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(async () => {
      try {
        const r = await testDestinations(comp.name, addresses, candidate || undefined);
        if (!cancelled) {
          setResults(r);
          setError(null);
        }
      } catch (e) {
        const err = toUiError(e);
        // the typed pattern does not compile: the addresses are still tried against the exceptions in place
        let inPlace: TesterMatch[] = [];
        if (candidate && err.code === 'PATTERN_INVALID' && addresses.length > 0)
          inPlace = await testDestinations(comp.name, addresses).catch(() => []);
        if (!cancelled) {
          setError(err);
          setResults(inPlace);
        }
      }
    }, 150);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // `key` stands for the addresses, whose array is new at every render
  }, [key, pattern, comp, testDestinations]);
  return { results, error };
}

function RestoreDefaults({ comp }: { comp: CompositionView }) {
  const t = useStrings();
  const notify = useAppStore((s) => s.notify);
  const restoreDefaults = useCompositionsStore((s) => s.restoreDefaults);
  const { busy, error, run } = useAction();
  const hintId = useId();
  return (
    <div className="restore">
      <button
        type="button"
        disabled={busy}
        aria-describedby={hintId}
        onClick={() =>
          void run(async () => {
            await restoreDefaults(comp.name);
            notify(fill(t.comps.restored, { name: comp.name }));
          })
        }
      >
        {t.comps.restoreDefaults}
      </button>
      <span id={hintId} className="muted small">
        {t.comps.restoreHint}
      </span>
      <ErrorMessage error={error} />
    </div>
  );
}

export function DestinationExceptions({ comp }: { comp: CompositionView }) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const { addDestination } = useCompositionsStore();
  const form = useForm<EditKey>(exceptionSpec(t));
  const [pattern, setPattern] = useState('');
  const [note, setNote] = useState('');
  const [addresses, setAddresses] = useState('');
  const testerId = useId();
  const list = addresses
    .split(/[\n,]/)
    .map((a) => a.trim())
    .filter(Boolean);
  const live = useLivePattern(comp, pattern, list);
  const liveInvalid = live.error?.code === 'PATTERN_INVALID';
  const { rows, after } = useExceptionRows(comp, comp.destinationExceptions);

  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    const ok = await form.run(
      () => checkException(t, { pattern }),
      async () => {
        await addDestination(comp.name, pattern.trim(), note.trim() || undefined);
        return true;
      },
    );
    if (ok) {
      setPattern('');
      setNote('');
    }
  };
  // what is wrong with the typed pattern shows as it is typed, before anything is sent
  const patternError = form.field('pattern').error
    ? form.field('pattern')
    : patternTooLong(pattern)
      ? { error: tooLongText(t), detail: null }
      : liveInvalid
        ? { error: errorText('PATTERN_INVALID', lang), detail: live.error!.message }
        : { error: null, detail: null };
  return (
    <section className="card" aria-labelledby="dest-title">
      <div className="toolbar">
        <h2 id="dest-title">{t.comps.dest}</h2>
      </div>
      <p className="muted">{t.comps.destHint}</p>
      <RestoreDefaults comp={comp} />
      <div className="table-wrap">
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
          <tbody>{rows}</tbody>
        </table>
      </div>
      {after}
      <form className="inline-form" onSubmit={add} ref={form.ref} noValidate>
        <Field label={t.comps.pattern} className="grow" {...patternError}>
          {(p) => (
            <input
              {...p}
              className="mono"
              {...form.bind('pattern', pattern, setPattern)}
              placeholder="@example\.co\.jp$"
            />
          )}
        </Field>
        <Field label={t.comps.note} {...form.field('note')}>
          {(p) => <input {...p} {...form.bind('note', note, setNote)} />}
        </Field>
        <button type="submit" disabled={form.busy}>
          {t.comps.addPattern}
        </button>
      </form>
      <ErrorMessage error={form.general} />
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
        {live.error && !liveInvalid && <ErrorMessage error={live.error} />}
        {(!live.error || liveInvalid) && list.length > 0 && live.results.length > 0 && (
          <ul className="tester-results" aria-live="polite">
            {live.results.map((r, i) => (
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
  const { addHeader } = useCompositionsStore();
  const form = useForm<EditKey>(exceptionSpec(t));
  const [header, setHeader] = useState('');
  const [pattern, setPattern] = useState('');
  const [note, setNote] = useState('');
  const { rows, after } = useExceptionRows(comp, comp.headerExceptions);
  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    const ok = await form.run(
      () => checkException(t, { header, pattern }),
      async () => {
        await addHeader(comp.name, header.trim(), pattern.trim(), note.trim() || undefined);
        return true;
      },
    );
    if (ok) {
      setHeader('');
      setPattern('');
      setNote('');
    }
  };
  return (
    <section className="card" aria-labelledby="hdr-title">
      <h2 id="hdr-title">{t.comps.header}</h2>
      <p className="muted">{t.comps.headerHint}</p>
      <div className="table-wrap">
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
          <tbody>{rows}</tbody>
        </table>
      </div>
      {after}
      <form className="inline-form" onSubmit={add} ref={form.ref} noValidate>
        <Field label={t.comps.headerName} {...form.field('header')}>
          {(p) => <input {...p} {...form.bind('header', header, setHeader)} placeholder="X-Campaign" />}
        </Field>
        <Field label={t.comps.valuePattern} className="grow" {...form.field('pattern')}>
          {(p) => (
            <input {...p} className="mono" {...form.bind('pattern', pattern, setPattern)} placeholder="^no-sign" />
          )}
        </Field>
        <Field label={t.comps.note} {...form.field('note')}>
          {(p) => <input {...p} {...form.bind('note', note, setNote)} />}
        </Field>
        <button type="submit" disabled={form.busy}>
          {t.comps.addPattern}
        </button>
      </form>
      <ErrorMessage error={form.general} />
    </section>
  );
}
