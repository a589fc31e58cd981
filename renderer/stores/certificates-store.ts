import { create } from 'zustand';
import type { CertificateInfo, CertificateView, CertStatus } from '../../main/contract';
import { api, unwrap } from '../api';
import { useAppStore } from './app-store';

export type StatusFilter = 'all' | CertStatus;

interface CertificateRequest {
  email: string;
  file: string;
  password: string;
}

interface CertificatesState {
  list: CertificateView[];
  loaded: boolean;
  filter: StatusFilter;
  query: string;
  sortAsc: boolean;
  load(): Promise<void>;
  /** what a p12 holds, before anything is saved */
  preview(file: string, password: string): Promise<CertificateInfo>;
  add(req: CertificateRequest): Promise<CertificateView>;
  renew(req: CertificateRequest): Promise<CertificateView>;
  remove(email: string, adminPassword: string): Promise<void>;
  setFilter(f: StatusFilter): void;
  setQuery(q: string): void;
  toggleSort(): void;
}

/** The certificates in the store changed: the attention banner follows them. */
function changed(list: CertificateView[]): { list: CertificateView[]; loaded: true } {
  useAppStore.getState().setAttention(list.filter((c) => c.status !== 'valid'));
  return { list, loaded: true };
}

/** Certificates: the list and every action on it. Actions call main and update the list from what main returned. */
export const useCertificatesStore = create<CertificatesState>((set, get) => ({
  list: [],
  loaded: false,
  filter: 'all',
  query: '',
  sortAsc: true,
  async load() {
    try {
      set(changed(await unwrap(api().listCertificates({}))));
    } catch (e) {
      useAppStore.getState().reportError(e);
    }
  },
  preview: (file, password) => unwrap(api().previewCertificate({ file, password })),
  async add(req) {
    const view = await unwrap(api().addCertificate(req));
    set(changed([...get().list.filter((c) => c.id !== view.id), view]));
    return view;
  },
  async renew(req) {
    const view = await unwrap(api().renewCertificate(req));
    set(changed(get().list.map((c) => (c.id === view.id ? view : c))));
    return view;
  },
  async remove(email, adminPassword) {
    await unwrap(api().removeCertificate({ email, adminPassword }));
    set(changed(get().list.filter((c) => c.email !== email)));
  },
  setFilter: (filter) => set({ filter }),
  setQuery: (query) => set({ query }),
  toggleSort: () => set((s) => ({ sortAsc: !s.sortAsc })),
}));

/** The rows the table shows: filtered by status and text, sorted by expiry. */
export function visibleCertificates(
  s: Pick<CertificatesState, 'list' | 'filter' | 'query' | 'sortAsc'>,
): CertificateView[] {
  const q = s.query.trim().toLowerCase();
  return s.list
    .filter((c) => s.filter === 'all' || c.status === s.filter)
    .filter(
      (c) =>
        !q ||
        c.email.toLowerCase().includes(q) ||
        c.commonName.toLowerCase().includes(q) ||
        c.issuerCommonName.toLowerCase().includes(q),
    )
    .sort((a, b) => (s.sortAsc ? 1 : -1) * a.notAfter.localeCompare(b.notAfter));
}
