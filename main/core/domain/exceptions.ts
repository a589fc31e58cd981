/**
 * Exceptions of a composition: recipients (by destination pattern) and messages (by header
 * pattern) that go out unsigned. Patterns are RE2, checked when typed. Defaults can be
 * turned off and on again, never rewritten or removed.
 */
import type { CompositionView, DestinationException, HeaderException, TesterMatch } from '../../contract';
import { SmimeError } from '../errors';
import {
  compilePattern,
  defaultDestinationExceptions,
  defaultHeaderExceptions,
  PatternSet,
  validateHeaderName,
} from '../relay/patterns';
import { findComposition, getComposition, touch } from './compositions';
import type { DomainContext } from './context';
import type { Composition } from './state';

const NOTE_MAX = 200;

function cleanNote(note: string | undefined): { note?: string } {
  const n = note?.trim();
  if (n && n.length > NOTE_MAX) throw new SmimeError('USAGE', `a note has at most ${NOTE_MAX} characters`);
  return n ? { note: n } : {};
}

function findException(c: Composition, id: number): DestinationException | HeaderException {
  const e = c.destinationExceptions.find((x) => x.id === id) ?? c.headerExceptions.find((x) => x.id === id);
  if (!e) throw new SmimeError('EXCEPTION_NOT_FOUND', `composition "${c.name}" has no exception #${id}`);
  return e;
}

export function addDestinationException(
  ctx: DomainContext,
  name: string,
  pattern: string,
  note?: string,
): DestinationException {
  compilePattern(pattern);
  const extra = cleanNote(note);
  const { ex, comp } = ctx.mutate((s) => {
    const c = findComposition(s, name);
    const e: DestinationException = { id: c.nextExceptionId++, pattern, enabled: true, isDefault: false, ...extra };
    c.destinationExceptions.push(e);
    touch(ctx, c);
    return { ex: e, comp: c.name };
  });
  ctx.audit('exception.add-destination', comp, { id: ex.id, pattern });
  return ex;
}

export function addHeaderException(
  ctx: DomainContext,
  name: string,
  header: string,
  pattern: string,
  note?: string,
): HeaderException {
  const h = validateHeaderName(header);
  compilePattern(pattern);
  const extra = cleanNote(note);
  const { ex, comp } = ctx.mutate((s) => {
    const c = findComposition(s, name);
    const e: HeaderException = {
      id: c.nextExceptionId++,
      header: h,
      pattern,
      enabled: true,
      isDefault: false,
      ...extra,
    };
    c.headerExceptions.push(e);
    touch(ctx, c);
    return { ex: e, comp: c.name };
  });
  ctx.audit('exception.add-header', comp, { id: ex.id, header: h, pattern });
  return ex;
}

/** Changes the pattern (and for header exceptions the name and note) of an exception the admin added. */
export function updateException(
  ctx: DomainContext,
  name: string,
  id: number,
  change: { pattern?: string; header?: string; note?: string },
): void {
  if (change.pattern !== undefined) compilePattern(change.pattern);
  const header = change.header !== undefined ? validateHeaderName(change.header) : undefined;
  const note = change.note !== undefined ? cleanNote(change.note) : undefined;
  const comp = ctx.mutate((s) => {
    const c = findComposition(s, name);
    const e = findException(c, id);
    if (e.isDefault)
      throw new SmimeError(
        'USAGE',
        `exception #${id} is a default: turn it off and add your own instead of changing it`,
      );
    if (change.pattern !== undefined) e.pattern = change.pattern;
    if (header !== undefined) {
      if (!('header' in e))
        throw new SmimeError('USAGE', `exception #${id} is a destination exception; it has no header name`);
      e.header = header;
    }
    if (note !== undefined) {
      delete e.note;
      Object.assign(e, note);
    }
    touch(ctx, c);
    return c.name;
  });
  const details = {
    id,
    ...(change.pattern !== undefined ? { pattern: change.pattern } : {}),
    ...(header ? { header } : {}),
  };
  ctx.audit('exception.update', comp, details);
}

export function setExceptionEnabled(ctx: DomainContext, name: string, id: number, enabled: boolean): void {
  const comp = ctx.mutate((s) => {
    const c = findComposition(s, name);
    findException(c, id).enabled = enabled;
    touch(ctx, c);
    return c.name;
  });
  ctx.audit(enabled ? 'exception.enable' : 'exception.disable', comp, { id });
}

/** Removes an exception. Defaults cannot be removed, only disabled, so they can always be turned back on. */
export function removeException(ctx: DomainContext, name: string, id: number): void {
  const comp = ctx.mutate((s) => {
    const c = findComposition(s, name);
    const e = findException(c, id);
    if (e.isDefault) throw new SmimeError('USAGE', `exception #${id} is a default; disable it instead of removing it`);
    c.destinationExceptions = c.destinationExceptions.filter((x) => x.id !== id);
    c.headerExceptions = c.headerExceptions.filter((x) => x.id !== id);
    touch(ctx, c);
    return c.name;
  });
  ctx.audit('exception.remove', comp, { id });
}

/**
 * Brings a composition's defaults back: every default that ships turned on is turned on again,
 * and a default that is missing (a composition from an older version or another machine) is
 * added as it ships. The optional smartphone preset keeps the admin's choice. Exceptions the
 * admin added are left alone.
 */
export function restoreDefaultExceptions(ctx: DomainContext, name: string): CompositionView {
  const { comp, enabled, added } = ctx.mutate((s) => {
    const c = findComposition(s, name);
    let enabled = 0;
    let added = 0;
    const destKey = (e: { pattern: string }) => e.pattern;
    const hdrKey = (e: { header: string; pattern: string }) => `${e.header.toLowerCase()}: ${e.pattern}`;
    for (const d of defaultDestinationExceptions(0)) {
      const have = c.destinationExceptions.find((e) => e.isDefault && destKey(e) === destKey(d));
      if (have) {
        if (!have.enabled && d.enabled) {
          have.enabled = true;
          enabled++;
        }
      } else {
        c.destinationExceptions.push({ ...d, id: c.nextExceptionId++ });
        added++;
      }
    }
    for (const d of defaultHeaderExceptions(0)) {
      const have = c.headerExceptions.find((e) => e.isDefault && hdrKey(e) === hdrKey(d));
      if (have) {
        if (!have.enabled && d.enabled) {
          have.enabled = true;
          enabled++;
        }
      } else {
        c.headerExceptions.push({ ...d, id: c.nextExceptionId++ });
        added++;
      }
    }
    if (enabled + added > 0) touch(ctx, c);
    return { comp: c.name, enabled, added };
  });
  ctx.audit('exception.restore-defaults', comp, { enabled, added });
  return getComposition(ctx, comp);
}

/** The live tester: which enabled destination exception (if any) each address hits, the typed candidate first. */
export function testDestinations(
  ctx: DomainContext,
  name: string,
  addresses: string[],
  candidate?: string,
): TesterMatch[] {
  const c = findComposition(ctx.load(), name);
  const candidateSet =
    candidate !== undefined
      ? (compilePattern(candidate), new PatternSet([{ pattern: candidate, enabled: true }]))
      : null;
  const set = new PatternSet(c.destinationExceptions);
  return addresses.map((address): TesterMatch => {
    const a = address.trim();
    if (candidate !== undefined && candidateSet?.firstMatch(a))
      return { address, match: { kind: 'candidate', pattern: candidate } };
    const m = set.firstMatch(a);
    return { address, match: m ? { kind: 'existing', id: m.id, pattern: m.pattern } : null };
  });
}
