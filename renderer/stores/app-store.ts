import { create } from 'zustand';
import type { Bootstrap, CertificateView, Settings } from '../../main/contract';
import { api, toUiError, unwrap, type UiError } from '../api';

export type Screen = 'certificates' | 'compositions' | 'reflect' | 'test' | 'settings' | 'audit';
export type Language = 'en' | 'ja';

export interface Notice {
  id: number;
  kind: 'success' | 'error';
  text: string;
  error?: UiError;
}

interface AppState {
  status: 'loading' | 'ready' | 'fatal';
  fatal: UiError | null;
  boot: Bootstrap | null;
  language: Language;
  screen: Screen;
  selectedComposition: string | null;
  attention: CertificateView[];
  notices: Notice[];
  /** the add-certificate dialog, opened from the menu or the certificates screen */
  addDialogOpen: boolean;
  init(): Promise<void>;
  go(screen: Screen, composition?: string | null): void;
  setLanguagePreference(lang: Language | null): Promise<void>;
  /** saves settings; the store takes main's answer (thresholds sorted, duplicates gone) */
  updateSettings(patch: Partial<Settings>): Promise<Settings>;
  /** first run (no current password) or a change (with it) */
  setAdminPassword(newPassword: string, currentPassword?: string): Promise<void>;
  setAttention(certs: CertificateView[]): void;
  notify(text: string): void;
  reportError(e: unknown): void;
  dismiss(id: number): void;
  setAddDialogOpen(open: boolean): void;
}

let nextId = 1;
/** language choices made so far: the answer to an older one is not applied over a newer one */
let languageRequests = 0;

export const useAppStore = create<AppState>((set, get) => {
  /** Shows these settings: the bootstrap's copy, and the language they mean. */
  const showSettings = (settings: Settings): void => {
    const boot = get().boot;
    set({
      language: settings.language ?? boot?.systemLanguage ?? 'en',
      ...(boot ? { boot: { ...boot, settings } } : {}),
    });
  };
  return {
    status: 'loading',
    fatal: null,
    boot: null,
    language: 'en',
    screen: 'certificates',
    selectedComposition: null,
    attention: [],
    notices: [],
    addDialogOpen: false,
    async init() {
      try {
        const boot = await unwrap(api().bootstrap({}));
        set({
          status: 'ready',
          boot,
          language: boot.settings.language ?? boot.systemLanguage,
          attention: boot.attention,
          fatal: null,
        });
      } catch (e) {
        set({ status: 'fatal', fatal: toUiError(e) });
      }
    },
    go(screen, composition) {
      set({ screen, ...(composition !== undefined ? { selectedComposition: composition } : {}) });
    },
    async setLanguagePreference(lang) {
      // the choice shows at once: a select bound to the saved value snapped back while the request
      // was on its way, so a second arrow key started again from the old value
      const before = get().boot;
      const seq = ++languageRequests;
      if (before) showSettings({ ...before.settings, language: lang });
      try {
        const settings = await unwrap(api().updateSettings({ language: lang }));
        // only the newest choice's answer counts: an earlier one may arrive after it
        if (seq === languageRequests) showSettings(settings);
      } catch (e) {
        const boot = get().boot;
        if (seq === languageRequests && before && boot)
          showSettings({ ...boot.settings, language: before.settings.language });
        get().reportError(e);
      }
    },
    async updateSettings(patch) {
      const settings = await unwrap(api().updateSettings(patch));
      showSettings(settings);
      return settings;
    },
    async setAdminPassword(newPassword, currentPassword) {
      await unwrap(
        api().setAdminPassword({ newPassword, ...(currentPassword !== undefined ? { currentPassword } : {}) }),
      );
      const boot = get().boot;
      if (boot && !boot.adminPasswordSet) set({ boot: { ...boot, adminPasswordSet: true } });
    },
    setAttention(certs) {
      set({ attention: certs });
    },
    notify(text) {
      const id = nextId++;
      set((s) => ({ notices: [...s.notices, { id, kind: 'success', text }] }));
      setTimeout(() => get().dismiss(id), 6000);
    },
    reportError(e) {
      const error = toUiError(e);
      set((s) => ({ notices: [...s.notices, { id: nextId++, kind: 'error', text: error.message, error }] }));
    },
    dismiss(id) {
      set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
    },
    setAddDialogOpen(open) {
      set({ addDialogOpen: open });
    },
  };
});

/**
 * Whether main shows native open, save and folder dialogs: not in a browser (start:browser), where
 * files come from the page's own chooser and saves go to the exports folder.
 */
export const useNativeDialogs = (): boolean => useAppStore((s) => s.boot?.nativeDialogs ?? true);
