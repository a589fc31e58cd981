import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfStateStore } from '../../../main/adapters/conf-state-store';
import { FEATURE_PHONE_DOMAINS } from '../../../main/core/relay/patterns';
import { makeService } from '../../helpers/stores';

describe('exceptions', () => {
  it('is created with visible, marked defaults that can be disabled but not removed', () => {
    const { svc } = makeService();
    const c = svc.createComposition('Transactional');
    const notes = c.destinationExceptions.map((e) => e.note);
    for (const d of FEATURE_PHONE_DOMAINS) expect(notes).toContain(d);
    expect(c.destinationExceptions.every((e) => e.isDefault)).toBe(true);
    expect(c.destinationExceptions.filter((e) => e.preset === 'smartphone').map((e) => [e.note, e.enabled])).toEqual([
      ['i.softbank.jp', false],
      ['au.com', false],
    ]);
    expect(c.headerExceptions.map((h) => `${h.header}: ${h.pattern}`)).toEqual([
      'Content-Type: ^multipart/signed',
      'Content-Type: ^application/(x-)?pkcs7-mime',
      'Content-Type: ^application/(x-)?pkcs7-signature',
      'Content-Type: ^multipart/encrypted',
    ]);
    const id = c.destinationExceptions[0]!.id;
    expect(() => svc.removeException('Transactional', id)).toThrow(/is a default; disable it/);
    svc.setExceptionEnabled('Transactional', id, false);
    expect(svc.getComposition('Transactional').destinationExceptions[0]!.enabled).toBe(false);
    svc.setExceptionEnabled('Transactional', id, true);
    expect(svc.getComposition('Transactional').destinationExceptions[0]!.enabled).toBe(true);
  });

  it('matches carrier domains and their subdomains, and nothing else', () => {
    const { svc } = makeService();
    svc.createComposition('T');
    const r = svc.testDestinations('T', [
      'taro@docomo.ne.jp',
      'x@biz.ezweb.ne.jp',
      'y@d.vodafone.ne.jp',
      'z@DI.PDX.NE.JP',
      'a@notdocomo.ne.jp',
      'b@docomo.ne.jp.evil.com',
      'c@i.softbank.jp',
      'd@gmail.com',
    ]);
    expect(r.map((x) => x.match !== null)).toEqual([true, true, true, true, false, false, false, false]);
  });

  it('refuses invalid or RE2-unsupported patterns with the reason, changing nothing', () => {
    const { svc } = makeService();
    svc.createComposition('T');
    const before = svc.getComposition('T');
    expect(() => svc.addDestinationException('T', 'a(b')).toThrow(
      /^invalid pattern "a\(b": missing closing \): `a\(b`$/,
    );
    expect(() => svc.addDestinationException('T', '(?=x)@example')).toThrow(
      /lookahead and lookbehind are not supported/,
    );
    expect(() => svc.addDestinationException('T', '(a)\\1')).toThrow(/backreferences are not supported/);
    expect(() => svc.addHeaderException('T', 'Bad Name:', 'x')).toThrow(/is not a header field name/);
    expect(() => svc.addDestinationException('T', 'a\tb')).toThrow(/contains a control character/);
    expect(() => svc.addDestinationException('T', 'x'.repeat(5000))).toThrow(/longer than 1000 characters/);
    expect(svc.getComposition('T')).toEqual(before);
  });

  it('evaluates catastrophic patterns against huge addresses in milliseconds', () => {
    const { svc } = makeService();
    svc.createComposition('T');
    svc.addDestinationException('T', '^(a+)+$');
    svc.addDestinationException('T', '^(a|aa)+@x$');
    svc.addDestinationException('T', '@(a+)+$');
    const t = performance.now();
    const r = svc.testDestinations('T', [
      'a'.repeat(50_000) + '!',
      'x@' + 'a'.repeat(50_000),
      'a'.repeat(50_000) + '@y',
    ]);
    const ms = performance.now() - t;
    expect(r.map((x) => x.match?.pattern ?? null)).toEqual([null, '@(a+)+$', null]);
    expect(ms).toBeLessThan(1000); // a backtracking engine takes longer than the age of the universe
  });

  it('keeps defaults as shipped: they can be turned off, never rewritten', () => {
    const { svc } = makeService();
    const c = svc.createComposition('T');
    const docomo = c.destinationExceptions[0]!;
    expect(() => svc.updateException('T', docomo.id, { pattern: '@nothing\\.invalid$' })).toThrow(
      /is a default: turn it off and add your own/,
    );
    expect(svc.getComposition('T').destinationExceptions[0]).toEqual(docomo);
    const mine = svc.addDestinationException('T', '@partner\\.example$', 'partner');
    svc.updateException('T', mine.id, { pattern: '@partner\\.example\\.jp$', note: 'partner (JP)' });
    expect(svc.getComposition('T').destinationExceptions.at(-1)).toMatchObject({
      pattern: '@partner\\.example\\.jp$',
      note: 'partner (JP)',
    });
  });

  it('tells the live tester whether the typed pattern or an existing exception matched', () => {
    const { svc } = makeService();
    svc.createComposition('T');
    const r = svc.testDestinations('T', ['a@partner.example', 'b@docomo.ne.jp', 'c@gmail.com'], '@partner\\.example$');
    expect(r.map((x) => x.match)).toEqual([
      { kind: 'candidate', pattern: '@partner\\.example$' },
      { kind: 'existing', id: 1, pattern: '@(?:[^@]+\\.)?docomo\\.ne\\.jp$' },
      null,
    ]);
  });

  it('restores defaults: turned-off ones on again, missing ones back, the smartphone preset and own ones untouched', () => {
    const { svc, dataDir } = makeService();
    const c = svc.createComposition('T');
    const [docomo, ezweb] = c.destinationExceptions;
    const phone = c.destinationExceptions.find((e) => e.preset === 'smartphone')!;
    const signed = c.headerExceptions[0]!;
    svc.setExceptionEnabled('T', docomo!.id, false);
    svc.setExceptionEnabled('T', signed.id, false);
    svc.setExceptionEnabled('T', phone.id, true);
    const mine = svc.addDestinationException('T', '@partner\\.example$');
    svc.setExceptionEnabled('T', mine.id, false);
    // a composition written by an older version lacks a default
    const store = new ConfStateStore(dataDir);
    const state = store.load();
    state.compositions[0]!.destinationExceptions = state.compositions[0]!.destinationExceptions.filter(
      (e) => e.id !== ezweb!.id,
    );
    store.save(state);
    const after = svc.restoreDefaultExceptions('T');
    const byPattern = new Map(after.destinationExceptions.map((e) => [e.pattern, e]));
    expect(byPattern.get(docomo!.pattern)).toMatchObject({ id: docomo!.id, enabled: true });
    expect(byPattern.get(ezweb!.pattern)).toMatchObject({ enabled: true, isDefault: true, note: 'ezweb.ne.jp' });
    expect(byPattern.get(ezweb!.pattern)!.id).toBeGreaterThan(mine.id);
    expect(byPattern.get(phone.pattern)).toMatchObject({ enabled: true });
    expect(byPattern.get(mine.pattern)).toMatchObject({ enabled: false });
    expect(after.headerExceptions[0]).toMatchObject({ id: signed.id, enabled: true });
    expect(after.destinationExceptions).toHaveLength(c.destinationExceptions.length + 1);
    // nothing to do the second time
    expect(svc.restoreDefaultExceptions('T').destinationExceptions).toEqual(after.destinationExceptions);
    const log = readFileSync(join(dataDir, 'audit.log'), 'utf8').trim().split('\n');
    expect(JSON.parse(log.at(-2)!)).toMatchObject({
      action: 'exception.restore-defaults',
      target: 'T',
      details: { enabled: 2, added: 1 },
    });
  });

  it('refuses a header name that is not one with its own code', () => {
    const { svc } = makeService();
    svc.createComposition('T');
    expect(() => svc.addHeaderException('T', 'X Campaign', '^a')).toThrow(
      expect.objectContaining({ code: 'HEADER_NAME_INVALID' }),
    );
    expect(() => svc.addDestinationException('T', '@example\\.(com')).toThrow(
      /^invalid pattern "@example\\\.\(com": missing closing \)/,
    );
  });
});
