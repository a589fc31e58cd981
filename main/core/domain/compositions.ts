/**
 * Server compositions: named relay configurations with the certificates that operate in
 * them and the intelligent-BCC switch. A composition keeps its id across renames; the name
 * is a label, unique without regard to case.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CertStatus, CompositionView } from '../../contract';
import { normalizeEmail } from '../engine/certificate';
import { SmimeError } from '../errors';
import { destinationMatchesEverything, headerMatchesEverything } from './catch-all';
import { defaultDestinationExceptions, defaultHeaderExceptions } from '../relay/patterns';
import { findCert } from './certificates';
import type { DomainContext } from './context';
import { validateServerUrl } from './servers';
import { pendingChanges } from './snapshot';
import type { AdminState, CertRecord, Composition } from './state';
import { statusAt } from './status';

export const MAX_NAME = 64;

export function validateName(name: string): string {
  const n = name.trim();
  if (n.length === 0 || n.length > MAX_NAME || /[\u0000-\u001f\u007f]/.test(n)) {
    throw new SmimeError(
      'NAME_INVALID',
      `a composition name has 1 to ${MAX_NAME} characters and no control characters`,
    );
  }
  return n;
}

/** By name (any case) or by id: scripts may hold either. */
export function findComposition(state: AdminState, nameOrId: string): Composition {
  const key = nameOrId.trim();
  const c =
    state.compositions.find((x) => x.name.toLowerCase() === key.toLowerCase()) ??
    state.compositions.find((x) => x.id === key);
  if (!c) throw new SmimeError('COMPOSITION_NOT_FOUND', `there is no composition named "${key}"`);
  return c;
}

export function touch(ctx: DomainContext, c: Composition): void {
  c.updatedAt = ctx.now().toISOString();
}

function nameTaken(state: AdminState, name: string, except?: Composition): boolean {
  return state.compositions.some((x) => x !== except && x.name.toLowerCase() === name.toLowerCase());
}

/** Creates a composition with the default exceptions (carrier domains, already-secured mail). */
/** A composition as it starts: no certificate, the default exceptions on, never reflected. */
export function newComposition(id: string, name: string, at: string, certificateIds: string[] = []): Composition {
  const dest = defaultDestinationExceptions(1);
  const headers = defaultHeaderExceptions(dest.length + 1);
  return {
    id,
    name,
    certificateIds,
    destinationExceptions: dest,
    headerExceptions: headers,
    intelligentBcc: false,
    nextExceptionId: dest.length + headers.length + 1,
    createdAt: at,
    updatedAt: at,
    lastReflection: null,
  };
}

export function createComposition(ctx: DomainContext, name: string): CompositionView {
  const n = validateName(name);
  const now = ctx.now().toISOString();
  const id = randomUUID();
  ctx.mutate((s) => {
    if (nameTaken(s, n)) throw new SmimeError('COMPOSITION_EXISTS', `a composition named "${n}" already exists`);
    s.compositions.push(newComposition(id, n, now));
  });
  ctx.audit('composition.create', n, { id });
  return getComposition(ctx, id);
}

/** Renames a composition; its id stays, so its bundles and relays follow it. The servers learn the name at the next reflection. */
export function renameComposition(ctx: DomainContext, oldName: string, newName: string): CompositionView {
  const n = validateName(newName);
  const id = ctx.mutate((s) => {
    const c = findComposition(s, oldName);
    if (nameTaken(s, n, c)) throw new SmimeError('COMPOSITION_EXISTS', `a composition named "${n}" already exists`);
    c.name = n;
    touch(ctx, c);
    return c.id;
  });
  ctx.audit('composition.rename', oldName.trim(), { newName: n });
  return getComposition(ctx, id);
}

export function deleteComposition(ctx: DomainContext, name: string): void {
  const removed = ctx.mutate((s) => {
    const c = findComposition(s, name);
    s.compositions = s.compositions.filter((x) => x !== c);
    return c.name;
  });
  ctx.audit('composition.delete', removed);
}

/** Status of every certificate, computed once per listing rather than once per composition. */
function statuses(state: AdminState, now: Date): Map<string, { status: CertStatus; daysLeft: number }> {
  return new Map(
    state.certificates.map((r) => {
      const { status, daysLeft } = statusAt(r, now, state.settings.warnDays);
      return [r.id, { status, daysLeft }];
    }),
  );
}

function view(
  c: Composition,
  state: AdminState,
  st: ReturnType<typeof statuses>,
  byId: ReadonlyMap<string, CertRecord> = new Map(state.certificates.map((r) => [r.id, r])),
): CompositionView {
  const last = c.lastReflection;
  const checked = c.certificateIds.flatMap((id) => {
    const rec = byId.get(id);
    return rec ? [rec] : [];
  });
  return {
    id: c.id,
    name: c.name,
    certificates: checked.map((rec) => ({ id: rec.id, email: rec.email, enabled: true, ...st.get(rec.id)! })),
    destinationExceptions: c.destinationExceptions.map((e) =>
      destinationMatchesEverything(e.pattern) ? { ...e, matchesEverything: true as const } : e,
    ),
    headerExceptions: c.headerExceptions.map((e) =>
      headerMatchesEverything(e.header, e.pattern) ? { ...e, matchesEverything: true as const } : e,
    ),
    intelligentBcc: c.intelligentBcc,
    pending: pendingChanges(c, state, byId).length > 0,
    lastReflection: last
      ? { at: last.at, bundleFile: last.bundleFile, bundleFingerprint: last.bundleFingerprint }
      : null,
    publishDir: c.publishDir ?? null,
    servers: c.servers ?? [],
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export function listCompositions(ctx: DomainContext): CompositionView[] {
  const state = ctx.load();
  const st = statuses(state, ctx.now());
  const byId = new Map(state.certificates.map((r) => [r.id, r]));
  return state.compositions.map((c) => view(c, state, st, byId));
}

export function getComposition(ctx: DomainContext, nameOrId: string): CompositionView {
  const state = ctx.load();
  return view(findComposition(state, nameOrId), state, statuses(state, ctx.now()));
}

/** Checks or unchecks a certificate in a composition: checked certificates sign mail from their address. */
export function setCertificateEnabled(
  ctx: DomainContext,
  name: string,
  email: string,
  enabled: boolean,
): CompositionView {
  const c = ctx.mutate((s) => {
    const comp = findComposition(s, name);
    const rec = findCert(s, email);
    const has = comp.certificateIds.includes(rec.id);
    if (enabled && !has) comp.certificateIds.push(rec.id);
    if (!enabled && has) comp.certificateIds = comp.certificateIds.filter((id) => id !== rec.id);
    touch(ctx, comp);
    return comp;
  });
  ctx.audit(enabled ? 'composition.enable-cert' : 'composition.disable-cert', c.name, { email: normalizeEmail(email) });
  return getComposition(ctx, c.id);
}

export function setIntelligentBcc(ctx: DomainContext, name: string, on: boolean): CompositionView {
  const c = ctx.mutate((s) => {
    const comp = findComposition(s, name);
    comp.intelligentBcc = on;
    touch(ctx, comp);
    return comp;
  });
  ctx.audit('composition.bcc', c.name, { on });
  return getComposition(ctx, c.id);
}

/**
 * The folder the relays of this composition watch (a synced or mounted directory): every
 * reflection is also written there atomically, under its unique name. null turns it off.
 */
export function setPublishDir(ctx: DomainContext, name: string, dir: string | null): CompositionView {
  let folder: string | null = null;
  if (dir !== null && dir.trim() !== '') {
    folder = resolve(dir.trim());
    if (!existsSync(folder) || !statSync(folder).isDirectory()) {
      throw new SmimeError('USAGE', `${folder} is not a folder; create it (or mount the synced folder) first`);
    }
  }
  const c = ctx.mutate((s) => {
    const comp = findComposition(s, name);
    comp.publishDir = folder;
    touch(ctx, comp);
    return comp;
  });
  ctx.audit('composition.publish', c.name, { folder });
  return getComposition(ctx, c.id);
}

/** The relays' status URLs; the app asks each which reflection it runs. */
export function setServers(ctx: DomainContext, name: string, urls: string[]): CompositionView {
  const servers = [...new Set(urls.filter((u) => u.trim()).map(validateServerUrl))];
  if (servers.length > 50) throw new SmimeError('USAGE', 'a composition lists at most 50 servers');
  const c = ctx.mutate((s) => {
    const comp = findComposition(s, name);
    comp.servers = servers;
    touch(ctx, comp);
    return comp;
  });
  ctx.audit('composition.servers', c.name, { servers: servers.join(' ') });
  return getComposition(ctx, c.id);
}
