import { create } from 'zustand';
import type { CompositionView, Request, TesterMatch } from '../../main/contract';
import { api, toUiError, unwrap, type UiError } from '../api';
import { useAppStore } from './app-store';
import { useCertificatesStore } from './certificates-store';

type ExceptionChange = Omit<Request<'exception:update'>, 'name' | 'id'>;

/** An exception being edited and not saved yet: kept when the admin goes elsewhere and comes back. */
export interface ExceptionDraft {
  header?: string;
  pattern: string;
  note: string;
}

interface CompositionsState {
  list: CompositionView[];
  loaded: boolean;
  /** why the last read of the list failed (the screens show it with a way to try again) */
  loadError: UiError | null;
  /** unsaved exception edits, by `${composition id}:${exception id}` */
  drafts: Record<string, ExceptionDraft>;
  load(): Promise<void>;
  create(name: string): Promise<CompositionView>;
  rename(name: string, newName: string): Promise<CompositionView>;
  remove(name: string): Promise<void>;
  setCertificate(name: string, email: string, enabled: boolean): Promise<CompositionView>;
  setIntelligentBcc(name: string, on: boolean): Promise<CompositionView>;
  addDestination(name: string, pattern: string, note?: string): Promise<CompositionView>;
  addHeader(name: string, header: string, pattern: string, note?: string): Promise<CompositionView>;
  updateException(name: string, id: number, change: ExceptionChange): Promise<CompositionView>;
  setExceptionEnabled(name: string, id: number, enabled: boolean): Promise<CompositionView>;
  removeException(name: string, id: number): Promise<CompositionView>;
  /** every default back on, missing ones added again */
  restoreDefaults(name: string): Promise<CompositionView>;
  /** the live tester: which exception each address hits, the typed candidate first (a query; nothing changes) */
  testDestinations(name: string, addresses: string[], candidate?: string): Promise<TesterMatch[]>;
  setDraft(key: string, draft: ExceptionDraft | null): void;
}

export const draftKey = (compositionId: string, exceptionId: number) => `${compositionId}:${exceptionId}`;

/**
 * Server compositions and every action on them. Each action calls main and puts the
 * composition main returned into the list (by id, so renames stay one entry): one data path.
 * The certificates' "used by" follows from the same answer.
 */
export const useCompositionsStore = create<CompositionsState>((set, get) => {
  const put = async (p: Promise<unknown>, previousName?: string): Promise<CompositionView> => {
    const c = (await unwrap(p as Promise<never>)) as CompositionView;
    const list = get().list;
    set({ list: list.some((x) => x.id === c.id) ? list.map((x) => (x.id === c.id ? c : x)) : [...list, c] });
    useCertificatesStore.getState().compositionChanged(c, previousName);
    return c;
  };
  return {
    list: [],
    loaded: false,
    loadError: null,
    drafts: {},
    async load() {
      try {
        set({ list: await unwrap(api().listCompositions({})), loaded: true, loadError: null });
      } catch (e) {
        // a list on screen that could not be read again: a notice; no list yet: the screen says why
        if (get().loaded) useAppStore.getState().reportError(e);
        set({ loadError: toUiError(e) });
      }
    },
    create: (name) => put(api().createComposition({ name })),
    rename: (name, newName) => put(api().renameComposition({ name, newName }), name),
    async remove(name) {
      await unwrap(api().deleteComposition({ name }));
      set({ list: get().list.filter((x) => x.name !== name) });
      useCertificatesStore.getState().compositionRemoved(name);
    },
    setCertificate: (name, email, enabled) => put(api().setCompositionCertificate({ name, email, enabled })),
    setIntelligentBcc: (name, on) => put(api().setIntelligentBcc({ name, on })),
    addDestination: (name, pattern, note) =>
      put(api().addDestinationException({ name, pattern, ...(note ? { note } : {}) })),
    addHeader: (name, header, pattern, note) =>
      put(api().addHeaderException({ name, header, pattern, ...(note ? { note } : {}) })),
    async updateException(name, id, change) {
      const c = await put(api().updateException({ name, id, ...change }));
      get().setDraft(draftKey(c.id, id), null);
      return c;
    },
    setExceptionEnabled: (name, id, enabled) => put(api().setExceptionEnabled({ name, id, enabled })),
    async removeException(name, id) {
      const c = await put(api().removeException({ name, id }));
      get().setDraft(draftKey(c.id, id), null);
      return c;
    },
    restoreDefaults: (name) => put(api().restoreDefaultExceptions({ name })),
    testDestinations: (name, addresses, candidate) =>
      unwrap(api().testDestinations({ name, addresses, ...(candidate ? { candidate } : {}) })),
    setDraft(key, draft) {
      const drafts = { ...get().drafts };
      if (draft) drafts[key] = draft;
      else if (key in drafts) delete drafts[key];
      else return;
      set({ drafts });
    },
  };
});
