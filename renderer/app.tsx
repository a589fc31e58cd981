import { useEffect, useRef } from 'react';
import { ErrorMessage } from './components/error-message';
import { Notices } from './components/notices';
import { fill, formatList, useStrings } from './i18n';
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

/** One line, however many certificates: how many need attention and why, and a link to exactly those. */
function AttentionBanner() {
  const t = useStrings();
  const lang = useAppStore((s) => s.language);
  const attention = useAppStore((s) => s.attention);
  const firstWarning = useAppStore((s) => s.boot?.settings.warnDays[0] ?? 30);
  const go = useAppStore((s) => s.go);
  if (attention.length === 0) return null;
  const count = (st: string) => attention.filter((c) => c.status === st).length;
  const parts = [
    count('expired') > 0 ? fill(t.attention.expired, { n: count('expired') }) : null,
    count('expiring') > 0 ? fill(t.attention.expiring, { n: count('expiring'), days: firstWarning }) : null,
    count('not-yet-valid') > 0 ? fill(t.attention.notYetValid, { n: count('not-yet-valid') }) : null,
  ].filter((x): x is string => x !== null);
  const list = formatList(parts, lang, 'narrow');
  return (
    <div className="banner warn" role="status" data-testid="attention">
      <span className="banner-text">
        {attention.length === 1
          ? fill(t.attention.summaryOne, { list })
          : fill(t.attention.summary, { n: attention.length, list })}
      </span>{' '}
      <button
        type="button"
        className="link"
        onClick={() => {
          useCertificatesStore.getState().setFilter('attention');
          useCertificatesStore.getState().setQuery('');
          go('certificates');
        }}
      >
        {t.attention.show}
      </button>
    </div>
  );
}

/** Each screen opens at its top with focus on its heading, as a new page would. */
function useScreenFocus(screen: Screen, selected: string | null) {
  const content = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    content.current?.scrollTo({ top: 0 });
    window.scrollTo({ top: 0 });
    const h1 = content.current?.querySelector<HTMLElement>('h1');
    // a heading takes focus only with a tabindex; every screen's gets one
    if (h1 && !h1.hasAttribute('tabindex')) h1.tabIndex = -1;
    h1?.focus({ preventScroll: true });
  }, [screen]);
  useEffect(() => {
    // another composition: its detail starts at its top
    content.current?.querySelector('.detail-pane')?.scrollTo({ top: 0 });
  }, [selected]);
  return content;
}

export function App() {
  const t = useStrings();
  const { status, fatal, boot, screen, go, init, language, setAttention, setAddDialogOpen, selectedComposition } =
    useAppStore();
  const pendingCount = useReflectStore((s) => s.pending.filter((p) => p.changes.length > 0).length);
  const loadPending = useReflectStore((s) => s.load);
  const content = useScreenFocus(screen, selectedComposition);
  useEffect(() => {
    void init();
    // the app opens on the certificates: their list is read while the rest starts
    void useCertificatesStore.getState().load({ quiet: true });
    const offMenu = window.smime.onMenuCommand(({ command }) => {
      if (command === 'add-certificate') {
        go('certificates');
        setAddDialogOpen(true);
      } else go(command.replace('go-', '') as Screen);
    });
    const offAttention = window.smime.onCertificatesAttention(setAttention);
    // a change made outside the window (the CLI): every list is read again; after the window's own
    // change its lists already follow from the answer, and only the pending reflections are read again
    const offState = window.smime.onStateChanged(({ by }) => {
      if (by === 'elsewhere') {
        void useCertificatesStore.getState().load();
        void useCompositionsStore.getState().load();
      }
      void useReflectStore.getState().load();
    });
    // a reflection or an import changes which certificates the servers use: the list follows
    const offReflect = useReflectStore.subscribe((s, prev) => {
      const at = (p: typeof s.pending) => p.map((x) => `${x.composition}@${x.lastReflectedAt}`).join('|');
      if (prev.loaded && s.pending !== prev.pending && at(s.pending) !== at(prev.pending)) {
        if (useCertificatesStore.getState().loaded) void useCertificatesStore.getState().load();
      }
    });
    return () => {
      offMenu();
      offAttention();
      offState();
      offReflect();
    };
  }, [init, go, setAttention, setAddDialogOpen]);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  useEffect(() => {
    if (status === 'ready' && boot?.adminPasswordSet) void loadPending();
  }, [status, boot, screen, loadPending]);

  if (status === 'loading')
    return (
      <p className="loading" role="status" aria-busy="true">
        {t.common.loading}
      </p>
    );
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
      <a className="skip-link" href="#content">
        {t.nav.skip}
      </a>
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
      <main className="content" id="content" ref={content} tabIndex={-1}>
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
