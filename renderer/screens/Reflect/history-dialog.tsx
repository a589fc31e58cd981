import { useEffect } from 'react';
import { Dialog } from '../../components/dialog';
import { ErrorMessage } from '../../components/error-message';
import { useAction } from '../../components/use-action';
import { fill, formatDate, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { useReflectStore } from '../../stores/reflect-store';

const fileName = (path: string): string => path.split(/[\\/]/).pop() ?? path;

/**
 * Every reflection of a composition, newest first: number, time, who, file, fingerprint, what
 * changed, and which servers run it. An older one can be sent again as a new reflection.
 */
export function HistoryDialog({
  name,
  onClose,
  onReexport,
}: {
  name: string;
  onClose(): void;
  onReexport(serial: number): void;
}) {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const entries = useReflectStore((s) => s.history[name]);
  const loadHistory = useReflectStore((s) => s.loadHistory);
  const servers = useReflectStore((s) => s.servers.find((c) => c.composition === name));
  const { error, run } = useAction();
  useEffect(() => {
    void run(() => loadHistory(name));
  }, [name, loadHistory, run]);
  return (
    <Dialog title={fill(t.history.title, { name })} onClose={onClose} wide>
      <ErrorMessage error={error} />
      {!entries && !error && <p className="muted">{t.common.loading}</p>}
      {entries && entries.length === 0 && <p className="empty">{t.history.empty}</p>}
      {entries && entries.length > 0 && (
        <table className="table compact history" data-testid="history">
          <thead>
            <tr>
              <th scope="col">{t.history.colSerial}</th>
              <th scope="col">{t.history.colAt}</th>
              <th scope="col">{t.history.colBy}</th>
              <th scope="col">{t.history.colFile}</th>
              <th scope="col">{t.history.colChanges}</th>
              <th scope="col">{t.certs.colActions}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((h, i) => {
              const running = servers?.servers.filter((s) => s.runsSerial === h.serial).length ?? 0;
              return (
                <tr key={h.serial} data-serial={h.serial}>
                  <td>
                    <strong>{h.serial}</strong>
                    {i === 0 && <span className="badge neutral">{t.history.latest}</span>}
                    {h.reexportOf !== null && (
                      <div className="muted small">{fill(t.history.reexportOf, { serial: h.reexportOf })}</div>
                    )}
                  </td>
                  <td>{formatDate(h.at, lang, true)}</td>
                  <td>{h.by}</td>
                  <td>
                    <div className="mono small" title={h.file}>
                      {fileName(h.file)}
                    </div>
                    <div className="mono small muted" title={h.fingerprintSha256}>
                      {t.history.colFingerprint} {h.fingerprintSha256.slice(0, 16)}…
                    </div>
                    {servers && running > 0 && (
                      <span className="badge ok">
                        {fill(t.history.runningOn, { n: running, total: servers.servers.length })}
                      </span>
                    )}
                  </td>
                  <td>
                    {h.changes.length === 0 ? (
                      <span className="muted">{t.history.noChange}</span>
                    ) : (
                      <ul className="plain-list small">
                        {h.changes.map((c, j) => (
                          <li key={j} data-kind={c.kind}>
                            {/* a reflection's own history: the first one is "first", not "never reflected" */}
                            {c.kind === 'never-reflected' ? t.history.firstReflection : t.reflect.kind[c.kind]}:{' '}
                            <span className="mono">{c.subject}</span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>
                    {i > 0 && (
                      <button type="button" onClick={() => onReexport(h.serial)}>
                        {t.history.reexport}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Dialog>
  );
}
