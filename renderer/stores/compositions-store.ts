import { create } from 'zustand';
import type { CompositionView, Request, TesterMatch } from '../../main/contract';
import { api, unwrap } from '../api';
import { useAppStore } from './app-store';

type ExceptionChange = Omit<Request<'exception:update'>, 'name' | 'id'>;

interface CompositionsState {
  list: CompositionView[];
  loaded: boolean;
  load(): Promise<void>;
  create(name: string): Promise<CompositionView>;
  rename(name: string, newName: string): Promise<CompositionView>;
  remove(name: string): Promise<void>;
  setCertificate(name: string, email: string, enabled: boolean): Promise<CompositionView>;
  setIntelligentBcc(name: string, on: boolean): Promise<CompositionView>;
  addDestination(name: string, pattern: string, note?: string): Promise<CompositionView>;
  addHeader(name: string, header: string, pattern: string): Promise<CompositionView>;
  updateException(name: string, id: number, change: ExceptionChange): Promise<CompositionView>;
  setExceptionEnabled(name: string, id: number, enabled: boolean): Promise<CompositionView>;
  removeException(name: string, id: number): Promise<CompositionView>;
  /** the live tester: which exception each address hits, the typed candidate first (a query; nothing changes) */
  testDestinations(name: string, addresses: string[], candidate?: string): Promise<TesterMatch[]>;
}

/**
 * Server compositions and every action on them. Each action calls main and puts the
 * composition main returned into the list (by id, so renames stay one entry): one data path.
 */
export const useCompositionsStore = create<CompositionsState>((set, get) => {
  const put = async (p: Promise<unknown>): Promise<CompositionView> => {
    const c = (await unwrap(p as Promise<never>)) as CompositionView;
    const list = get().list;
    set({ list: list.some((x) => x.id === c.id) ? list.map((x) => (x.id === c.id ? c : x)) : [...list, c] });
    return c;
  };
  return {
    list: [],
    loaded: false,
    async load() {
      try {
        set({ list: await unwrap(api().listCompositions({})), loaded: true });
      } catch (e) {
        useAppStore.getState().reportError(e);
      }
    },
    create: (name) => put(api().createComposition({ name })),
    rename: (name, newName) => put(api().renameComposition({ name, newName })),
    async remove(name) {
      await unwrap(api().deleteComposition({ name }));
      set({ list: get().list.filter((x) => x.name !== name) });
    },
    setCertificate: (name, email, enabled) => put(api().setCompositionCertificate({ name, email, enabled })),
    setIntelligentBcc: (name, on) => put(api().setIntelligentBcc({ name, on })),
    addDestination: (name, pattern, note) =>
      put(api().addDestinationException({ name, pattern, ...(note ? { note } : {}) })),
    addHeader: (name, header, pattern) => put(api().addHeaderException({ name, header, pattern })),
    updateException: (name, id, change) => put(api().updateException({ name, id, ...change })),
    setExceptionEnabled: (name, id, enabled) => put(api().setExceptionEnabled({ name, id, enabled })),
    removeException: (name, id) => put(api().removeException({ name, id })),
    testDestinations: (name, addresses, candidate) =>
      unwrap(api().testDestinations({ name, addresses, ...(candidate ? { candidate } : {}) })),
  };
});
