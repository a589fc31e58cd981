import { useEffect, useId, useState } from 'react';
import type { CompositionView } from '../../../main/contract';
import { ErrorMessage } from '../../components/error-message';
import { useAction } from '../../components/use-action';
import { fill, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { useReflectStore } from '../../stores/reflect-store';

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** A relay status URL as main accepts it (servers.ts validateServerUrl): http(s), no credentials, query or fragment. */
function isStatusUrl(line: string): boolean {
  try {
    const u = new URL(line);
    return ['http:', 'https:'].includes(u.protocol) && !u.username && !u.password && !u.search && !u.hash;
  } catch {
    return false;
  }
}

/** Where a composition's reflections are published (the folder its relays watch), and its relays' status URLs. */
export function PublishSettings({ comp }: { comp: CompositionView }) {
  const t = useStrings();
  const { setPublishFolder, setServers } = useReflectStore();
  const notify = useAppStore((s) => s.notify);
  const [text, setText] = useState(comp.servers.join('\n'));
  const folder = useAction();
  const servers = useAction();
  const id = useId();
  const saved = comp.servers.join('\n');
  useEffect(() => setText(saved), [saved]);
  const dirty = lines(text).join('\n') !== saved;
  // said under the field as it is typed, in the UI's language, before anything is sent
  const badUrl = lines(text).find((l) => !isStatusUrl(l));
  return (
    <section className="publish" aria-label={`${t.publish.title}: ${comp.name}`}>
      <h3>{t.publish.title}</h3>
      <div className="stack">
        <div className="field">
          <span className="label">{t.publish.folder}</span>
          <div className="row">
            <span className={comp.publishDir ? 'mono' : 'muted'} data-testid="publish-dir">
              {comp.publishDir ?? t.publish.folderNone}
            </span>
            <button
              type="button"
              disabled={folder.busy}
              onClick={() => void folder.run(() => setPublishFolder(comp.name, true))}
            >
              {t.publish.choose}
            </button>
            {comp.publishDir && (
              <button
                type="button"
                disabled={folder.busy}
                onClick={() => void folder.run(() => setPublishFolder(comp.name, false))}
              >
                {t.publish.clear}
              </button>
            )}
          </div>
          <ErrorMessage error={folder.error} />
        </div>
        <form
          className="field"
          onSubmit={(e) => {
            e.preventDefault();
            void servers.run(async () => {
              await setServers(comp.name, lines(text));
              notify(fill(t.publish.saved, { name: comp.name }));
            });
          }}
        >
          <label htmlFor={id}>{t.publish.servers}</label>
          <textarea
            id={id}
            rows={Math.max(2, lines(text).length + 1)}
            value={text}
            onChange={(e) => setText(e.target.value)}
            spellCheck={false}
            aria-describedby={`${id}-hint`}
            aria-invalid={servers.error || badUrl !== undefined ? true : undefined}
          />
          <span id={`${id}-hint`} className="muted small">
            {t.publish.serversHint}
          </span>
          {badUrl !== undefined && (
            <div className="error" role="alert" data-testid="bad-server-url">
              <strong>{fill(t.publish.badUrl, { url: badUrl })}</strong>
            </div>
          )}
          <ErrorMessage error={servers.error} />
          <div className="row">
            <button type="submit" disabled={!dirty || servers.busy || badUrl !== undefined}>
              {t.publish.save}
            </button>
          </div>
        </form>
      </div>
    </section>
  );
}
