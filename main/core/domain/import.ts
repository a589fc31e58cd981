/**
 * Importing a bundle written on another admin machine: shown first (what it adds, changes and
 * removes, and which local changes it would discard), then applied all or nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ImportPreview, ImportResult } from '../../contract';
import { sameEmail } from '../engine/certificate';
import { SmimeError } from '../errors';
import { openBundle } from '../relay/bundle';
import { compilePattern, validateHeaderName } from '../relay/patterns';
import { newVersion, openForAddress, switchVersions, type NewVersion } from './certificates';
import { validateName } from './compositions';
import type { DomainContext } from './context';
import { pendingChanges, snapshotOf } from './snapshot';
import type { AdminState, CertRecord, Composition } from './state';

export interface ImportOptions {
  /** accept a bundle older than the composition's last reflection (a rollback) */
  allowOlder?: boolean;
  /** replace a composition that has changes not yet reflected */
  discardPending?: boolean;
}

/** Opens and checks a bundle whole (authentication, schema, every p12 and its address, every pattern). */
function openChecked(ctx: DomainContext, bytes: Buffer, passphrase: string, fileName: string) {
  const opened = openBundle(bytes, passphrase, fileName);
  const comp = opened.payload.composition;
  for (const e of comp.destinationExceptions) compilePattern(e.pattern);
  for (const e of comp.headerExceptions) {
    validateHeaderName(e.header);
    compilePattern(e.pattern);
  }
  const compName = validateName(comp.name);
  const checked = opened.certificates.map((c) => ({
    c,
    ...openForAddress(ctx, c, `the certificate for ${c.email} in ${fileName}`),
  }));
  return { opened, comp, compName, checked };
}

/**
 * What importing would do, without changing anything: the certificates it adds or replaces, the
 * settings it changes, whether it is older than the last reflection, and which local changes not
 * yet reflected it would discard. The import itself refuses those last two unless told.
 */
export function previewImport(
  ctx: DomainContext,
  bytes: Buffer,
  passphrase: string,
  fileName = 'the bundle',
): ImportPreview {
  const { opened, comp, compName, checked } = openChecked(ctx, bytes, passphrase, fileName);
  const state = ctx.load();
  const existing = existingFor(state, comp.id, compName);
  if (existing) checkRenameFree(existing, state, compName, fileName);
  const added: string[] = [];
  const updated: string[] = [];
  for (const { c } of checked) {
    const old = state.certificates.find((r) => sameEmail(r.email, c.email));
    if (!old) added.push(c.email);
    else if (old.fingerprintSha256 !== c.fingerprintSha256) updated.push(c.email);
  }
  let changes: ImportPreview['changes'] = [];
  let discardsPending: ImportPreview['discardsPending'] = [];
  if (existing) {
    // the bundle's settings, compared with the composition here as if the bundle were its next reflection
    const ids = checked.map(
      ({ c }) => state.certificates.find((r) => sameEmail(r.email, c.email))?.id ?? `new:${c.email}`,
    );
    const incoming: Composition = { ...existing, ...comp, name: compName, certificateIds: ids };
    const here = {
      ...incoming,
      lastReflection: { at: '', bundleFile: '', bundleFingerprint: '', snapshot: snapshotOf(existing, state) },
    };
    const withNew: AdminState = {
      ...state,
      certificates: [
        ...state.certificates,
        ...checked.map(({ c, info }) => ({ ...(info as unknown as CertRecord), id: `new:${c.email}`, email: c.email })),
      ],
    };
    changes = pendingChanges(here, withNew);
    const local = pendingChanges(existing, state);
    discardsPending = local.length > 0 && local[0]!.kind !== 'never-reflected' ? local : [];
  }
  const lastSerial = existing?.lastReflection?.serial;
  return {
    composition: compName,
    createsComposition: !existing,
    serial: opened.payload.serial,
    older: lastSerial !== undefined && opened.payload.serial < lastSerial,
    certificatesAdded: added,
    certificatesUpdated: updated,
    changes,
    discardsPending,
  };
}

/**
 * Imports a bundle written on another admin machine: certificates into the registry and
 * keychain, the composition as reflected. Everything is validated first (authentication,
 * schema, every p12 and its address, every pattern); then new secrets and files are written,
 * the records switch in one save, and replaced secrets and files are removed last.
 */
async function importBundleNow(
  ctx: DomainContext,
  bytes: Buffer,
  passphrase: string,
  fileName = 'the bundle',
  opts: ImportOptions = {},
): Promise<ImportResult> {
  const { opened, comp, compName, checked } = openChecked(ctx, bytes, passphrase, fileName);
  const fingerprint = createHash('sha256').update(bytes).digest('hex');
  const state = ctx.load();
  const existing = existingFor(state, comp.id, compName);
  if (existing) {
    checkReplaceable(existing, state, comp.id, opened.payload.serial, fileName, opts);
    checkRenameFree(existing, state, compName, fileName);
  }

  const result: ImportResult = {
    composition: compName,
    created: !existing,
    certificatesAdded: [],
    certificatesUpdated: [],
    certificatesUnchanged: [],
  };
  const now = ctx.now().toISOString();
  const staged: (NewVersion & { old: CertRecord | null })[] = [];
  for (const { c, info } of checked) {
    const old = state.certificates.find((r) => sameEmail(r.email, c.email)) ?? null;
    if (old && old.fingerprintSha256 === c.fingerprintSha256) {
      result.certificatesUnchanged.push(c.email);
      continue;
    }
    (old ? result.certificatesUpdated : result.certificatesAdded).push(c.email);
    const idv = old
      ? { id: old.id, version: old.version + 1, addedAt: old.addedAt }
      : { id: randomUUID(), version: 1, addedAt: now };
    const ident = checked.find((x) => x.c === c)!.ident;
    const v = newVersion({ ...idv, email: old?.email ?? c.email }, ident, info, ctx.now(), c.p12, c.password);
    staged.push({ ...v, old });
  }

  const created = staged.map(({ old: _old, ...v }) => v);
  const retired = staged.flatMap(({ old }) => (old ? [old] : []));
  await switchVersions(ctx, 'import', created, retired, (s) => {
    for (const { rec, old } of staged) {
      if (old) s.certificates = s.certificates.map((r) => (r.id === old.id ? rec : r));
      else s.certificates.push(rec);
    }
    let c = s.compositions.find((x) => x.id === existing?.id);
    if (!c) {
      c = {
        id: comp.id,
        name: compName,
        certificateIds: [],
        destinationExceptions: [],
        headerExceptions: [],
        intelligentBcc: false,
        nextExceptionId: 1,
        createdAt: now,
        updatedAt: now,
        lastReflection: null,
      };
      s.compositions.push(c);
    }
    c.name = compName;
    c.destinationExceptions = comp.destinationExceptions;
    c.headerExceptions = comp.headerExceptions;
    c.intelligentBcc = comp.intelligentBcc;
    c.nextExceptionId =
      Math.max(0, ...comp.destinationExceptions.map((e) => e.id), ...comp.headerExceptions.map((e) => e.id)) + 1;
    c.certificateIds = opened.certificates.map((bc) => s.certificates.find((r) => sameEmail(r.email, bc.email))!.id);
    c.updatedAt = now;
    c.lastReflection = {
      at: opened.payload.createdAt,
      serial: opened.payload.serial,
      bundleFile: fileName,
      bundleFingerprint: fingerprint,
      snapshot: snapshotOf(c, s),
    };
  });
  // an import that creates or renames the composition says so, so the log follows it like a create or rename
  ctx.audit('bundle.import', compName, {
    bundleFingerprint: fingerprint,
    certificates: opened.certificates.length,
    serial: opened.payload.serial,
    ...(existing ? {} : { created: true }),
    ...(existing && existing.name !== compName ? { previousName: existing.name } : {}),
  });
  return result;
}

/** The composition here a bundle's composition lands on: the same one (by id), else one of the same name. */
function existingFor(state: AdminState, id: string, name: string): Composition | undefined {
  return (
    state.compositions.find((x) => x.id === id) ??
    state.compositions.find((x) => x.name.toLowerCase() === name.toLowerCase())
  );
}

/** A bundle that renames its composition (renamed on the other machine) may not take a name another one has here. */
function checkRenameFree(existing: Composition, state: AdminState, compName: string, fileName: string): void {
  const other = state.compositions.find((x) => x !== existing && x.name.toLowerCase() === compName.toLowerCase());
  if (other) {
    throw new SmimeError(
      'COMPOSITION_EXISTS',
      `${fileName} renames "${existing.name}" to "${compName}", and another composition here already has that name; rename that one first`,
    );
  }
}

function checkReplaceable(
  existing: Composition,
  state: AdminState,
  bundleCompId: string,
  serial: number,
  fileName: string,
  opts: ImportOptions,
): void {
  if (existing.id !== bundleCompId) {
    throw new SmimeError(
      'COMPOSITION_EXISTS',
      `a different composition named "${existing.name}" already exists here (${fileName} is for another one); rename yours first`,
    );
  }
  const last = existing.lastReflection;
  if (last?.serial !== undefined && serial < last.serial && !opts.allowOlder) {
    throw new SmimeError(
      'BUNDLE_INVALID',
      `${fileName} is older than what "${existing.name}" last reflected (reflection ${serial} < ${last.serial}); importing it would roll the composition back`,
    );
  }
  const changes = pendingChanges(existing, state);
  if (changes.length > 0 && changes[0]!.kind !== 'never-reflected' && !opts.discardPending) {
    throw new SmimeError(
      'USAGE',
      `"${existing.name}" has ${changes.length} change${changes.length === 1 ? '' : 's'} not yet reflected that importing would discard; reflect them first or import with --discard-pending`,
    );
  }
}

/** Imports a bundle, all or nothing, as the folder's only writer. */
export const importBundle = (
  ctx: DomainContext,
  bytes: Buffer,
  passphrase: string,
  fileName = 'the bundle',
  opts: ImportOptions = {},
): Promise<ImportResult> => ctx.exclusive(() => importBundleNow(ctx, bytes, passphrase, fileName, opts));
