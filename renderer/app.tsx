import { useEffect } from 'react';
import { ErrorMessage } from './components/error-message';
import { Notices } from './components/notices';
import { fill, useStrings } from './i18n';
import { useAppStore, type Screen } from './stores/app-store';
import { useCertificatesStore } from './stores/certificates-store';
import { useCompositionsStore } from './stores/compositions-store';
import { useReflectStore } from './stores/reflect-store';
import { AuditScreen } from './screens/Audit/audit-screen';
import { CertificatesScreen } from './screens/Certificates/certificates-screen';
import { CompositionsScreen } from './screens/Compositions/compositions-screen';
import { FirstRunScreen } from './screens/FirstRun/first-run-screen';
import { ReflectScreen } from './screens/Reflect/reflect-screen';
import { SettingsScreen } from './screens/Settings/settings-screen';
import { TestMessageScreen } from './screens/TestMessage/test-message-screen';

const SCREENS: Screen[] = ['certificates', 'compositions', 'reflect', 'test', 'audit', 'settings'];

function AttentionBanner() {
  const t = useStrings();
  const attention = useAppStore((s) => s.attention);
  const go = useAppStore((s) => s.go);
  if (attention.length === 0) return null;
  return (
    <div className="banner warn" role="status" data-testid="attention">
      <strong>{t.attention.title}</strong>:{' '}
      {attention
        .map(
          (c) =>
            `${c.email} (${c.status === 'expiring' ? fill(t.status.expiring, { n: c.daysLeft }) : t.status[c.status]})`,
        )
        .join(', ')}
      . {t.attention.renew}{' '}
      <button type="button" className="link" onClick={() => go('certificates')}>
        {t.nav.certificates}
      </button>
    </div>
  );
}

export function App() {
  const t = useStrings();
  const { status, fatal, boot, screen, go, init, language, setAttention, setAddDialogOpen } = useAppStore();
  const pendingCount = useReflectStore((s) => s.pending.filter((p) => p.changes.length > 0).length);
  const loadPending = useReflectStore((s) => s.load);
  useEffect(() => {
    void init();
    const offMenu = window.smime.onMenuCommand(({ command }) => {
      if (command === 'add-certificate') {
        go('certificates');
        setAddDialogOpen(true);
      } else go(command.replace('go-', '') as Screen);
    });
    const offAttention = window.smime.onCertificatesAttention(setAttention);
    // a change made outside the window (the CLI): every list is read again
    const offState = window.smime.onStateChanged(() => {
      void useCertificatesStore.getState().load();
      void useCompositionsStore.getState().load();
      void useReflectStore.getState().load();
    });
    return () => {
      offMenu();
      offAttention();
      offState();
    };
  }, [init, go, setAttention, setAddDialogOpen]);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  useEffect(() => {
    if (status === 'ready' && boot?.adminPasswordSet) void loadPending();
  }, [status, boot, screen, loadPending]);

  if (status === 'loading') return <p className="loading">{t.common.loading}</p>;
  if (status === 'fatal') {
    return (
      <main className="first-run">
        <div className="card narrow">
          <h1>{t.errors.fatal}</h1>
          <ErrorMessage error={fatal} />
        </div>
      </main>
    );
  }
  if (!boot?.adminPasswordSet) return <FirstRunScreen />;
  return (
    <div className="layout">
      <nav className="sidebar" aria-label={t.nav.main}>
        <div className="brand">{t.appName}</div>
        <ul>
          {SCREENS.map((s) => (
            <li key={s}>
              <button
                type="button"
                className={s === screen ? 'selected' : ''}
                aria-current={s === screen ? 'page' : undefined}
                onClick={() => go(s)}
              >
                {t.nav[s]}
                {s === 'reflect' && pendingCount > 0 && <span className="count">{pendingCount}</span>}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">
        <AttentionBanner />
        {screen === 'certificates' && <CertificatesScreen />}
        {screen === 'compositions' && <CompositionsScreen />}
        {screen === 'reflect' && <ReflectScreen />}
        {screen === 'test' && <TestMessageScreen />}
        {screen === 'audit' && <AuditScreen />}
        {screen === 'settings' && <SettingsScreen />}
      </main>
      <Notices />
    </div>
  );
}
