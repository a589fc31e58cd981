import { create } from 'zustand';
import type { PendingView, ReflectProgress, ReflectResult } from '../../main/core/domain/service';
import { api, unwrap } from '../api';
import { useAppStore } from './app-store';

interface ReflectState {
  pending: PendingView[];
  loaded: boolean;
  progress: { name: string; step: ReflectProgress } | null;
  result: ReflectResult | null;
  load(): Promise<void>;
  setProgress(p: { name: string; step: ReflectProgress } | null): void;
  setResult(r: ReflectResult | null): void;
}

export const useReflectStore = create<ReflectState>((set) => ({
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
  setProgress: (progress) => set({ progress }),
  setResult: (result) => set({ result }),
}));
