import { create } from 'zustand';
import type {
  CertificateDetail,
  CertificateInfo,
  CertificateView,
  CertStatus,
  CompositionView,
} from '../../main/contract';
import { api, toUiError, unwrap, type UiError } from '../api';
import { useAppStore } from './app-store';

/** `attention`: expired or inside a warning threshold (what the banner counts). */
export type StatusFilter = 'all' | 'attention' | CertStatus;
export type SortKey = 'email' | 'commonName' | 'issuerCommonName' | 'notAfter' | 'status' | 'usedBy';
export interface Sort {
  key: SortKey;
  asc: boolean;
}

interface CertificateRequest {
  email: string;
  file: string;
  password: string;
}

interface CertificatesState {
  list: CertificateView[];
  loaded: boolean;
  /** why the last read of the list failed (cleared by the next read that works) */
  loadError: UiError | null;
  filter: StatusFilter;
  query: string;
  sort: Sort;
  view: 'table' | 'timeline';
  /** the certificate whose detail view is open, as main last described it */
  detail: CertificateDetail | null;
  /** the address whose detail is being read */
  detailLoading: string | null;
  /** reads the list; a read already under way is shared, not repeated. `quiet`: a failure is kept in
   * `loadError` for the screen, not also reported as a notice */
  load(opts?: { quiet?: boolean }): Promise<void>;
  /** what a p12 holds, before anything is saved */
  preview(file: string, password: string): Promise<CertificateInfo>;
  add(req: CertificateRequest): Promise<CertificateView>;
  renew(req: CertificateRequest): Promise<CertificateView>;
  remove(email: string, adminPassword: string): Promise<void>;
  /** reads one certificate again (its uses may have changed by a reflection) and puts it in the list */
  refresh(email: string): Promise<CertificateView>;
  openDetail(email: string): Promise<void>;
  closeDetail(): void;
  /** a composition changed (checked certificates, its name): the list's "used by" follows without a reload */
  compositionChanged(view: CompositionView, previousName?: string): void;
  compositionRemoved(name: string): void;
  setFilter(f: StatusFilter): void;
  setQuery(q: string): void;
  /** sorts by a column; the same column again reverses the order */
  sortBy(key: SortKey): void;
  setView(v: 'table' | 'timeline'): void;
}

/** The certificates in the store changed: the attention banner follows them. */
function changed(list: CertificateView[]): { list: CertificateView[]; loaded: true } {
  useAppStore.getState().setAttention(list.filter((c) => c.status !== 'valid'));
  return { list, loaded: true };
}

function rename(names: string[], from: string | undefined, to: string): string[] {
  return from && from !== to && names.includes(from) ? names.map((n) => (n === from ? to : n)) : names;
}

/** Certificates: the list and every action on it. Actions call main and update the list from what main returned. */
export const useCertificatesStore = create<CertificatesState>((set, get) => {
  let loading: Promise<void> | null = null;
  const put = (view: CertificateView): void => {
    const list = get().list;
    set(changed(list.some((c) => c.id === view.id) ? list.map((c) => (c.id === view.id ? view : c)) : [...list, view]));
  };
  return {
    list: [],
    loaded: false,
    loadError: null,
    filter: 'all',
    query: '',
    sort: { key: 'notAfter', asc: true },
    view: 'table',
    detail: null,
    detailLoading: null,
    load(opts) {
      loading ??= (async () => {
        try {
          set({ ...changed(await unwrap(api().listCertificates({}))), loadError: null });
        } catch (e) {
          set({ loadError: toUiError(e) });
          if (!opts?.quiet) useAppStore.getState().reportError(e);
        } finally {
          loading = null;
        }
      })();
      return loading;
    },
    preview: (file, password) => unwrap(api().previewCertificate({ file, password })),
    async add(req) {
      const view = await unwrap(api().addCertificate(req));
      put(view);
      return view;
    },
    async renew(req) {
      const view = await unwrap(api().renewCertificate(req));
      put(view);
      if (get().detail?.certificate.id === view.id) void get().openDetail(view.email);
      return view;
    },
    async remove(email, adminPassword) {
      await unwrap(api().removeCertificate({ email, adminPassword }));
      set({ ...changed(get().list.filter((c) => c.email !== email)), detail: null });
    },
    async refresh(email) {
      const d = await unwrap(api().certificateDetail({ email }));
      put(d.certificate);
      if (get().detail?.certificate.id === d.certificate.id) set({ detail: d });
      return d.certificate;
    },
    async openDetail(email) {
      set({ detailLoading: email });
      try {
        const d = await unwrap(api().certificateDetail({ email }));
        put(d.certificate);
        set({ detail: d });
      } catch (e) {
        useAppStore.getState().reportError(e);
      } finally {
        set({ detailLoading: null });
      }
    },
    closeDetail: () => set({ detail: null }),
    compositionChanged(view, previousName) {
      const checked = new Set(view.certificates.map((c) => c.id));
      let any = false;
      const list = get().list.map((c) => {
        let usedBy = rename(c.usedBy, previousName, view.name);
        const reflectedIn = rename(c.reflectedIn, previousName, view.name);
        const has = usedBy.includes(view.name);
        const should = checked.has(c.id);
        if (has && !should) usedBy = usedBy.filter((n) => n !== view.name);
        if (!has && should) usedBy = [...usedBy, view.name];
        if (usedBy === c.usedBy && reflectedIn === c.reflectedIn) return c;
        any = true;
        return { ...c, usedBy, reflectedIn };
      });
      if (any) set({ list });
    },
    compositionRemoved(name) {
      let any = false;
      const list = get().list.map((c) => {
        if (!c.usedBy.includes(name) && !c.reflectedIn.includes(name)) return c;
        any = true;
        return {
          ...c,
          usedBy: c.usedBy.filter((n) => n !== name),
          reflectedIn: c.reflectedIn.filter((n) => n !== name),
        };
      });
      if (any) set({ list });
    },
    setFilter: (filter) => set({ filter }),
    setQuery: (query) => set({ query }),
    sortBy: (key) => set((s) => ({ sort: { key, asc: s.sort.key === key ? !s.sort.asc : true } })),
    setView: (view) => set({ view }),
  };
});

const STATUS_ORDER: Record<CertStatus, number> = { expired: 0, expiring: 1, 'not-yet-valid': 2, valid: 3 };

const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const COMPARE: Record<SortKey, (a: CertificateView, b: CertificateView) => number> = {
  email: (a, b) => text(a.email.toLowerCase(), b.email.toLowerCase()),
  commonName: (a, b) => text(a.commonName.toLowerCase(), b.commonName.toLowerCase()),
  issuerCommonName: (a, b) => text(a.issuerCommonName.toLowerCase(), b.issuerCommonName.toLowerCase()),
  notAfter: (a, b) => text(a.notAfter, b.notAfter),
  status: (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status],
  usedBy: (a, b) => a.usedBy.length - b.usedBy.length || text(a.usedBy[0] ?? '', b.usedBy[0] ?? ''),
};

/** The list in a column's order (ties by expiry, then address): done once per list and order, not per keystroke. */
export function sortCertificates(list: CertificateView[], sort: Sort): CertificateView[] {
  const dir = sort.asc ? 1 : -1;
  const by = COMPARE[sort.key];
  return [...list].sort((a, b) => dir * (by(a, b) || COMPARE.notAfter(a, b) || COMPARE.email(a, b)));
}

const haystacks = new WeakMap<CertificateView, string>();
function haystack(c: CertificateView): string {
  let h = haystacks.get(c);
  if (h === undefined) {
    h = `${c.email}\n${c.commonName}\n${c.issuerCommonName}\n${c.usedBy.join('\n')}`.toLowerCase();
    haystacks.set(c, h);
  }
  return h;
}

export function matchesFilter(c: CertificateView, filter: StatusFilter): boolean {
  return filter === 'all' || (filter === 'attention' ? c.status !== 'valid' : c.status === filter);
}

/** The rows shown: by status and by text in the address, name, issuer or compositions; the order kept. */
export function filterCertificates(sorted: CertificateView[], filter: StatusFilter, query: string): CertificateView[] {
  const q = query.trim().toLowerCase();
  if (filter === 'all' && !q) return sorted;
  return sorted.filter((c) => matchesFilter(c, filter) && (!q || haystack(c).includes(q)));
}

/** The rows the table shows: filtered by status and text, in the chosen order. */
export function visibleCertificates(
  s: Pick<CertificatesState, 'list' | 'filter' | 'query' | 'sort'>,
): CertificateView[] {
  return filterCertificates(sortCertificates(s.list, s.sort), s.filter, s.query);
}
