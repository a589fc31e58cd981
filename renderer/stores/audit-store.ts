import { create } from 'zustand';
import type { AuditCheckView, AuditEntryView } from '../../main/contract';
import { api, unwrap } from '../api';
import { useAppStore } from './app-store';

/** The families of audit actions the filter offers (an action matches its family: `certificate` → `certificate.add`). */
export const AUDIT_GROUPS = [
  'certificate',
  'composition',
  'exception',
  'reflect',
  'bundle',
  'settings',
  'admin-password',
  'recovery',
] as const;
export type AuditGroup = (typeof AUDIT_GROUPS)[number];

export interface AuditFilters {
  action: AuditGroup | '';
  composition: string;
  address: string;
  /** a day (YYYY-MM-DD, local time), or '' */
  since: string;
}

export const NO_FILTERS: AuditFilters = { action: '', composition: '', address: '', since: '' };
const PAGE = 200;

interface AuditState {
  filters: AuditFilters;
  entries: AuditEntryView[];
  /** how many entries the list asks main for; "show older" raises it */
  limit: number;
  loaded: boolean;
  check: AuditCheckView | null;
  /** reads the entries with the filters and checks the chain, both from main */
  load(): Promise<void>;
  setFilters(filters: AuditFilters): Promise<void>;
  showMore(): Promise<void>;
  verify(): Promise<void>;
}

const sameAddress = (a: unknown, b: string): boolean => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

/**
 * Whether an entry concerns a certificate address: certificate actions name it as their target,
 * composition actions (checking or unchecking it) in their details.
 */
export function concernsAddress(e: AuditEntryView, address: string): boolean {
  return sameAddress(e.target, address) || sameAddress(e.details?.email, address);
}

/** The audit log: its entries newest first, filtered, and whether its chain holds. */
export const useAuditStore = create<AuditState>((set, get) => ({
  filters: NO_FILTERS,
  entries: [],
  limit: PAGE,
  loaded: false,
  check: null,
  async load() {
    const { filters, limit } = get();
    const address = filters.address.trim();
    const composition = filters.composition.trim();
    try {
      const [list, check] = await Promise.all([
        unwrap(
          api().auditLog({
            ...(filters.action ? { action: filters.action } : {}),
            ...(composition ? { target: composition } : {}),
            ...(filters.since ? { since: new Date(`${filters.since}T00:00:00`).toISOString() } : {}),
            // an address is matched here (target or details), so main sends every entry the other filters let through
            ...(address ? {} : { limit }),
          }),
        ),
        unwrap(api().verifyAuditLog({})),
      ]);
      const entries = address ? list.filter((e) => concernsAddress(e, address)).slice(0, limit) : list;
      set({ entries, check, loaded: true });
    } catch (e) {
      useAppStore.getState().reportError(e);
    }
  },
  async setFilters(filters) {
    set({ filters, limit: PAGE });
    await get().load();
  },
  async showMore() {
    set({ limit: get().limit + PAGE });
    await get().load();
  },
  async verify() {
    try {
      set({ check: await unwrap(api().verifyAuditLog({})) });
    } catch (e) {
      useAppStore.getState().reportError(e);
    }
  },
}));
