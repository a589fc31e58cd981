import { create } from 'zustand';
import type { ImportResult, PendingView, ReflectProgress, ReflectResult } from '../../main/contract';
import { api, unwrap } from '../api';
import { useAppStore } from './app-store';
import { useCompositionsStore } from './compositions-store';

interface ReflectState {
  pending: PendingView[];
  loaded: boolean;
  progress: { name: string; step: ReflectProgress } | null;
  result: ReflectResult | null;
  load(): Promise<void>;
  /** exports the bundle; null when the save dialog was cancelled */
  reflect(name: string, passphrase: string): Promise<ReflectResult | null>;
  importBundle(file: string, passphrase: string): Promise<ImportResult>;
  setProgress(p: { name: string; step: ReflectProgress } | null): void;
}

/** Reflecting changes what every composition's pending state is: both lists are read again afterwards. */
async function refresh(load: () => Promise<void>): Promise<void> {
  await Promise.all([load(), useCompositionsStore.getState().load()]);
}

export const useReflectStore = create<ReflectState>((set, get) => ({
  pending: [],
  loaded: false,
  progress: null,
  result: null,
  async load() {
    try {
      set({ pending: await unwrap(api().listPending({})), loaded: true });
    } catch (e) {
      useAppStore.getState().reportError(e);
    }
  },
  async reflect(name, passphrase) {
    set({ progress: null });
    const result = await unwrap(api().reflect({ name, passphrase }));
    if (result) {
      set({ result });
      await refresh(get().load);
    }
    return result;
  },
  async importBundle(file, passphrase) {
    const r = await unwrap(api().importBundle({ file, passphrase }));
    await refresh(get().load);
    return r;
  },
  setProgress: (progress) => set({ progress }),
}));
