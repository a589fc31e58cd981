import { useEffect } from 'react';
import type { ServerStatusView } from '../../../main/contract';
import { fill, formatDate, useStrings } from '../../i18n';
import { useAppStore } from '../../stores/app-store';
import { useReflectStore } from '../../stores/reflect-store';

function Runs({ s }: { s: ServerStatusView }) {
  const t = useStrings();
  if (!s.reachable) return <span className="muted">–</span>;
  const what =
    s.runsSerial !== null
      ? fill(t.servers.runs, { serial: s.runsSerial })
      : s.serial !== undefined
        ? fill(t.servers.runsUnknown, { serial: s.serial })
        : t.servers.runsNothing;
  return (
    <>
      {what}{' '}
      <span className={s.current ? 'badge ok' : 'badge warn'}>
        {s.current ? t.servers.current : t.servers.outdated}
      </span>
    </>
  );
}

/**
 * Whether each composition's latest reflection is in effect: every relay asked (by main) every
 * 10 seconds while the Reflect screen is open, and on demand.
 */
export function ServersPanel() {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const { servers, serversCheckedAt, checkingServers, checkServers, pollServers } = useReflectStore();
  useEffect(() => pollServers(), [pollServers]);
  return (
    <section className="card servers" aria-labelledby="servers-title" data-testid="servers-panel">
      <div className="toolbar">
        <h2 id="servers-title">{t.servers.title}</h2>
        <span className="muted small" aria-live="polite">
          {checkingServers
            ? t.servers.checking
            : serversCheckedAt && fill(t.servers.checkedAt, { at: formatDate(serversCheckedAt, lang, 'seconds') })}
        </span>
        <button type="button" onClick={() => void checkServers()}>
          {t.servers.check}
        </button>
      </div>
      <p className="muted">{t.servers.intro}</p>
      {servers.length === 0 && <p className="empty">{t.servers.none}</p>}
      {servers.map((c) => (
        <div key={c.composition} className="servers-composition" data-servers-composition={c.composition}>
          <div className="toolbar">
            <h3>{c.composition}</h3>
            <span className={c.inEffect ? 'badge ok' : 'badge bad'} data-testid="in-effect">
              {c.inEffect ? t.servers.inEffect : t.servers.notInEffect}
            </span>
            <span className="muted small">
              {c.latestSerial !== null ? fill(t.servers.latest, { serial: c.latestSerial }) : t.servers.neverReflected}
            </span>
          </div>
          <table className="table compact">
            <thead>
              <tr>
                <th scope="col">{t.servers.colServer}</th>
                <th scope="col">{t.servers.colReachable}</th>
                <th scope="col">{t.servers.colRuns}</th>
                <th scope="col">{t.servers.colLoaded}</th>
                <th scope="col">{t.servers.colReloadError}</th>
              </tr>
            </thead>
            <tbody>
              {c.servers.map((s) => (
                <tr key={s.url} data-url={s.url}>
                  <td className="mono">{s.url}</td>
                  <td className={s.reachable ? undefined : 'bad-text'}>
                    {s.reachable ? (
                      t.servers.reachable
                    ) : (
                      <>
                        {fill(t.servers.unreachable, { error: t.servers.why[s.reason ?? 'other'] })}
                        {/* the technical detail (Node's error) for whoever looks into it */}
                        {s.error && <div className="muted small mono">{s.error}</div>}
                      </>
                    )}
                  </td>
                  <td>
                    <Runs s={s} />
                  </td>
                  <td>{s.loadedAt ? formatDate(s.loadedAt, lang, true) : '–'}</td>
                  <td className={s.lastReloadError ? 'bad-text' : 'muted'}>{s.lastReloadError ?? t.servers.noError}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}
