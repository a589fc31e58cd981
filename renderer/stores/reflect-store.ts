import { create } from 'zustand';
import type {
  CompositionServers,
  CompositionView,
  HistoryEntry,
  ImportPreview,
  ImportResult,
  PendingView,
  ReflectProgress,
  ReflectResult,
  ReflectReview,
} from '../../main/contract';
import { api, unwrap, UiError } from '../api';
import { useAppStore } from './app-store';
import { useCompositionsStore } from './compositions-store';

/** How often the Servers panel asks main for the relays' status while the Reflect screen is open. */
export const SERVER_POLL_MS = 10_000;

/** What a reflection dialog reviews: the composition now, or an earlier reflection of it to send again. */
export interface ReviewTarget {
  name: string;
  reexportOf?: number;
}

export interface ImportConsent {
  discardPending: boolean;
  allowOlder: boolean;
}

interface ReflectState {
  pending: PendingView[];
  loaded: boolean;
  progress: { name: string; step: ReflectProgress } | null;
  /** the last reflection written from this window (one composition, or each of a "reflect all") */
  results: ReflectResult[];
  /** the review the open reflect dialog shows */
  review: ReflectReview | null;
  /** the reviews of every composition with pending changes, for "reflect all" */
  reviewsAll: ReflectReview[] | null;
  /** history per composition name, newest first */
  history: Record<string, HistoryEntry[]>;
  servers: CompositionServers[];
  serversCheckedAt: string | null;
  checkingServers: boolean;
  /** what importing the chosen bundle would do, shown before anything changes */
  importPreview: ImportPreview | null;
  load(): Promise<void>;
  /** reviews what reflecting (or re-exporting) would send; the dialog shows it */
  loadReview(target: ReviewTarget): Promise<ReflectReview>;
  clearReview(): void;
  /** exports the bundle with the confirmations the admin ticked; null when the save dialog was cancelled */
  reflect(target: ReviewTarget, passphrase: string, confirm: string[]): Promise<ReflectResult | null>;
  loadReviewsAll(): Promise<ReflectReview[]>;
  /**
   * Reflects every pending composition with one passphrase. `confirmed` holds `confirmKey(name, key)`
   * of each item the admin ticked; when the reviews now ask for anything else, nothing is written.
   */
  reflectAll(passphrase: string, confirmed: string[]): Promise<ReflectResult[] | null>;
  loadHistory(name: string): Promise<HistoryEntry[]>;
  /** opens main's folder dialog (choose) or clears the publish folder */
  setPublishFolder(name: string, choose: boolean): Promise<CompositionView>;
  setServers(name: string, urls: string[]): Promise<CompositionView>;
  /** asks main for every relay's status (main asks the relays; the renderer has no network) */
  checkServers(): Promise<void>;
  /** checks now and every `intervalMs`; returns the function that stops it */
  pollServers(intervalMs?: number): () => void;
  previewImport(file: string, passphrase: string): Promise<ImportPreview>;
  clearImportPreview(): void;
  importBundle(file: string, passphrase: string, consent: ImportConsent): Promise<ImportResult>;
  setProgress(p: { name: string; step: ReflectProgress } | null): void;
}

/** A confirmation's identity across compositions (two compositions may both lack a certificate). */
export const confirmKey = (composition: string, key: string): string => `${composition}\u0000${key}`;

/** The composition main returned replaces its old view in the compositions list (by id, so renames stay one). */
function receiveComposition(c: CompositionView): void {
  useCompositionsStore.setState((s) => ({
    list: s.list.some((x) => x.id === c.id) ? s.list.map((x) => (x.id === c.id ? c : x)) : [...s.list, c],
  }));
}

/**
 * Reflect: pending changes, review, export, history, import, publish folders and servers. Every
 * action calls main and updates the store from main's answer. Reflecting or importing changes
 * every composition's pending state, so both lists are read again afterwards.
 */
export const useReflectStore = create<ReflectState>((set, get) => {
  let serverChecks = 0;
  const refresh = async (): Promise<void> => {
    await Promise.all([get().load(), useCompositionsStore.getState().load()]);
  };
  /** The review of every composition with pending changes (the pending list is updated on the way). */
  const reviewPending = async (): Promise<ReflectReview[]> => {
    const pending = await unwrap(api().listPending({}));
    set({ pending });
    const names = pending.filter((p) => p.changes.length > 0).map((p) => p.composition);
    return Promise.all(names.map((name) => unwrap(api().reviewReflection({ name }))));
  };
  const afterReflect = async (results: ReflectResult[]): Promise<void> => {
    const history = { ...get().history };
    for (const r of results) delete history[r.composition];
    set({ results, history });
    await refresh();
    void get().checkServers();
  };
  return {
    pending: [],
    loaded: false,
    progress: null,
    results: [],
    review: null,
    reviewsAll: null,
    history: {},
    servers: [],
    serversCheckedAt: null,
    checkingServers: false,
    importPreview: null,
    async load() {
      try {
        set({ pending: await unwrap(api().listPending({})), loaded: true });
      } catch (e) {
        useAppStore.getState().reportError(e);
      }
    },
    async loadReview({ name, reexportOf }) {
      set({ review: null });
      const review = await unwrap(
        api().reviewReflection({ name, ...(reexportOf !== undefined ? { reexportOf } : {}) }),
      );
      set({ review });
      return review;
    },
    clearReview: () => set({ review: null, progress: null }),
    async reflect({ name, reexportOf }, passphrase, confirm) {
      set({ progress: null });
      const result = await unwrap(
        api().reflect({ name, passphrase, confirm, ...(reexportOf !== undefined ? { reexportOf } : {}) }),
      );
      if (result) await afterReflect([result]);
      return result;
    },
    async loadReviewsAll() {
      set({ reviewsAll: null });
      const reviews = await reviewPending();
      set({ reviewsAll: reviews });
      return reviews;
    },
    async reflectAll(passphrase, confirmed) {
      // main confirms everything it finds; so first make sure it finds nothing the admin did not see
      const seen = new Set(confirmed);
      const before = get().reviewsAll ?? [];
      const now = await reviewPending();
      const unseen = now.some(
        (r) =>
          r.confirmationKeys.some((k) => !seen.has(confirmKey(r.composition.name, k))) ||
          !before.some((b) => b.composition.id === r.composition.id),
      );
      if (unseen) {
        set({ reviewsAll: now });
        throw new UiError({ code: 'REFLECT_NOT_CONFIRMED', message: '' });
      }
      const results = await unwrap(api().reflectAll({ passphrase, confirmAll: true }));
      if (results) await afterReflect(results);
      return results;
    },
    async loadHistory(name) {
      const entries = await unwrap(api().reflectionHistory({ name }));
      set({ history: { ...get().history, [name]: entries } });
      return entries;
    },
    async setPublishFolder(name, choose) {
      const c = await unwrap(api().setPublishFolder({ name, choose }));
      receiveComposition(c);
      return c;
    },
    async setServers(name, urls) {
      const c = await unwrap(api().setServers({ name, servers: urls }));
      receiveComposition(c);
      void get().checkServers();
      return c;
    },
    async checkServers() {
      // a check started later (after a reflection, say) wins over one still on its way
      const mine = ++serverChecks;
      set({ checkingServers: true });
      try {
        const servers = await unwrap(api().serversStatus({}));
        if (mine === serverChecks) set({ servers, serversCheckedAt: new Date().toISOString() });
      } catch (e) {
        if (mine === serverChecks) useAppStore.getState().reportError(e);
      } finally {
        if (mine === serverChecks) set({ checkingServers: false });
      }
    },
    pollServers(intervalMs = SERVER_POLL_MS) {
      void get().checkServers();
      const timer = setInterval(() => void get().checkServers(), intervalMs);
      return () => clearInterval(timer);
    },
    async previewImport(file, passphrase) {
      set({ importPreview: null });
      const importPreview = await unwrap(api().previewImport({ file, passphrase }));
      set({ importPreview });
      return importPreview;
    },
    clearImportPreview: () => set({ importPreview: null }),
    async importBundle(file, passphrase, consent) {
      const r = await unwrap(api().importBundle({ file, passphrase, ...consent }));
      const history = { ...get().history };
      delete history[r.composition];
      set({ importPreview: null, history });
      await refresh();
      void get().checkServers();
      return r;
    },
    setProgress: (progress) => set({ progress }),
  };
});
