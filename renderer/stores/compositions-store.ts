import { create } from 'zustand';
import type { CompositionView } from '../../main/core/domain/service';
import { api, unwrap } from '../api';
import { useAppStore } from './app-store';

interface CompositionsState {
  list: CompositionView[];
  loaded: boolean;
  load(): Promise<void>;
  /** replaces one composition after a change returned its new state */
  put(c: CompositionView, oldName?: string): void;
  remove(name: string): void;
}

export const useCompositionsStore = create<CompositionsState>((set) => ({
  list: [],
  loaded: false,
  async load() {
    try {
      set({ list: await unwrap(api().listCompositions({})), loaded: true });
    } catch (e) {
      useAppStore.getState().reportError(e);
    }
  },
  put(c, oldName) {
    set((s) => {
      const key = (oldName ?? c.name).toLowerCase();
      const idx = s.list.findIndex((x) => x.name.toLowerCase() === key);
      const list = [...s.list];
      if (idx >= 0) list[idx] = c;
      else list.push(c);
      return { list };
    });
  },
  remove(name) {
    set((s) => ({ list: s.list.filter((x) => x.name !== name) }));
  },
}));
