import { create } from 'zustand';
import type { CertificateView, CertStatus } from '../../main/core/domain/service';
import { api, unwrap } from '../api';
import { useAppStore } from './app-store';

export type StatusFilter = 'all' | CertStatus;

interface CertificatesState {
  list: CertificateView[];
  loaded: boolean;
  filter: StatusFilter;
  query: string;
  sortAsc: boolean;
  load(): Promise<void>;
  setFilter(f: StatusFilter): void;
  setQuery(q: string): void;
  toggleSort(): void;
}

export const useCertificatesStore = create<CertificatesState>((set) => ({
  list: [],
  loaded: false,
  filter: 'all',
  query: '',
  sortAsc: true,
  async load() {
    try {
      const list = await unwrap(api().listCertificates({}));
      set({ list, loaded: true });
      useAppStore.getState().setAttention(list.filter((c) => c.status !== 'valid'));
    } catch (e) {
      useAppStore.getState().reportError(e);
    }
  },
  setFilter: (filter) => set({ filter }),
  setQuery: (query) => set({ query }),
  toggleSort: () => set((s) => ({ sortAsc: !s.sortAsc })),
}));

/** The rows the table shows: filtered by status and text, sorted by expiry. */
export function visibleCertificates(s: Pick<CertificatesState, 'list' | 'filter' | 'query' | 'sortAsc'>): CertificateView[] {
  const q = s.query.trim().toLowerCase();
  return s.list
    .filter((c) => s.filter === 'all' || c.status === s.filter)
    .filter((c) => !q || c.email.toLowerCase().includes(q) || c.commonName.toLowerCase().includes(q) || c.issuerCommonName.toLowerCase().includes(q))
    .sort((a, b) => (s.sortAsc ? 1 : -1) * a.notAfter.localeCompare(b.notAfter));
}
