import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendAudit, readAudit, verifyAudit } from '../../../main/core/domain/audit';
import { tempDir } from '../../helpers/stores';

function logWith(n: number): string {
  const d = tempDir();
  for (let i = 0; i < n; i++)
    appendAudit(d, new Date(Date.UTC(2026, 10, 28, 10, i)), `composition.create`, `c${i}`, { id: `x${i}` });
  return d;
}

describe('the audit log is tamper-evident', () => {
  it('holds together when untouched, and keeps no secret field', () => {
    const d = logWith(5);
    expect(verifyAudit(d)).toEqual({ entries: 5, unchained: 0, intact: true });
    const first = JSON.parse(readFileSync(join(d, 'audit.log'), 'utf8').split('\n')[0]!);
    expect(Object.keys(first)).toEqual(['at', 'user', 'action', 'target', 'details', 'prev', 'hash']);
    expect(first.prev).toBe('0'.repeat(64));
  });

  it('finds a one-byte change anywhere in the log and names the entry', () => {
    const d = logWith(6);
    const path = join(d, 'audit.log');
    const original = readFileSync(path);
    const starts = [0];
    for (let i = 0; i < original.length; i++) if (original[i] === 0x0a) starts.push(i + 1);
    let checked = 0;
    for (let pos = 0; pos < original.length; pos += 7) {
      if (original[pos] === 0x0a) continue;
      const b = Buffer.from(original);
      b[pos] = b[pos]! ^ 0x01;
      writeFileSync(path, b);
      const r = verifyAudit(d);
      const line = starts.filter((s) => s <= pos).length;
      expect(r.intact, `byte ${pos}`).toBe(false);
      // the entry changed is named, or (when its change broke its JSON) still that line
      expect(r.broken!.line, `byte ${pos}`).toBe(line);
      checked++;
    }
    expect(checked).toBeGreaterThan(50);
    writeFileSync(path, original);
    expect(verifyAudit(d).intact).toBe(true);
  });

  it('sees an entry removed from the middle or from the end, and one inserted', () => {
    const d = logWith(4);
    const path = join(d, 'audit.log');
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    writeFileSync(path, [lines[0], lines[2], lines[3]].join('\n') + '\n');
    expect(verifyAudit(d).broken).toMatchObject({ line: 2, reason: 'link', action: 'composition.create' });
    writeFileSync(path, lines.slice(0, 3).join('\n') + '\n');
    expect(verifyAudit(d).broken).toMatchObject({ reason: 'truncated' });
    writeFileSync(path, [lines[0], lines[0], ...lines.slice(1)].join('\n') + '\n');
    expect(verifyAudit(d).broken).toMatchObject({ line: 2, reason: 'link' });
  });

  it('links on from entries written before the chain, and filters for the viewer', () => {
    const d = tempDir();
    writeFileSync(
      join(d, 'audit.log'),
      JSON.stringify({
        at: '2026-01-01T00:00:00.000Z',
        user: 'u',
        action: 'certificate.add',
        target: 'a@example.com',
      }) + '\n',
    );
    appendAudit(d, new Date('2026-11-28T10:00:00Z'), 'reflect', 'T', { serial: 1 });
    expect(verifyAudit(d)).toEqual({ entries: 2, unchained: 1, intact: true });
    expect(readAudit(d).map((e) => e.action)).toEqual(['reflect', 'certificate.add']);
    expect(readAudit(d, { action: 'certificate' }).map((e) => e.target)).toEqual(['a@example.com']);
    expect(readAudit(d, { since: new Date('2026-06-01T00:00:00Z') }).map((e) => e.action)).toEqual(['reflect']);
    expect(readAudit(d, { target: 't' }).map((e) => e.action)).toEqual(['reflect']);
  });

  it('follows a composition across renames, and not an earlier composition of the same name', () => {
    const d = tempDir();
    let minute = 0;
    const log = (action: string, target: string, details?: Record<string, string>) =>
      appendAudit(d, new Date(Date.UTC(2026, 10, 28, 10, minute++)), action, target, details);
    log('composition.create', 'Shop');
    log('composition.delete', 'Shop');
    log('composition.create', 'Shop'); // another composition, same name
    log('composition.bcc', 'Shop');
    log('composition.rename', 'Shop', { newName: 'Relay 東京' });
    log('reflect', 'Relay 東京');
    log('composition.create', 'Shop'); // a third one takes the freed name
    const actions = (target: string) => readAudit(d, { target }).map((e) => `${e.action} ${e.target}`);
    expect(actions('relay 東京')).toEqual([
      'reflect Relay 東京',
      'composition.rename Shop',
      'composition.bcc Shop',
      'composition.create Shop',
    ]);
    expect(actions('Shop')).toEqual(['composition.create Shop']);
    expect(readAudit(d, { target: 'Relay 東京', action: 'composition.bcc' }).length).toBe(1);
  });
});
