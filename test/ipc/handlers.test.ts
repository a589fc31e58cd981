import { setLogSink } from '../../main/logging';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../main/ipc/dispatch';
import { local } from '../../main/core/domain/remote';
import { createHandlers, type Dialogs } from '../../main/ipc/handlers';
import { TestPki } from '../helpers/pki';
import { makeService, tempDir } from '../helpers/stores';
setLogSink(() => undefined);

describe('handlers over the real core', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = new TestPki();
  });
  afterAll(() => pki.cleanup());

  it('adds a certificate from a dropped file token and reflects through the save dialog, with progress', async () => {
    const { svc } = makeService();
    const out = join(tempDir(), 'chosen.json');
    const events: string[] = [];
    const dialogs: Dialogs = {
      openFile: async () => null,
      chooseFolder: async () => null,
      savePath: async () => out,
      writeFile: async () => undefined,
    };
    const h = createHandlers({
      service: local(svc),
      dialogs,
      emit: (e, p) => events.push(`${e}:${(p as { step: string }).step}`),
    });
    const p12 = readFileSync(
      pki.p12(pki.leaf({ emails: ['info@example.com'] }), { chain: 'intermediate', password: 'pw' }),
    );
    const picked = (await dispatch(
      h,
      'file:from-drop',
      { kind: 'p12', name: 'info.p12', bytes: new Uint8Array(p12) },
      true,
    )) as { ok: true; value: { file: string } };
    expect(picked.ok).toBe(true);
    const preview = await dispatch(h, 'cert:preview', { file: picked.value.file, password: 'pw' }, true);
    expect(preview).toMatchObject({ ok: true, value: { emails: ['info@example.com'] } });
    expect(
      await dispatch(h, 'cert:add', { email: 'other@example.com', file: picked.value.file, password: 'pw' }, true),
    ).toMatchObject({ ok: false, error: { code: 'EMAIL_NOT_IN_CERTIFICATE' } });
    expect(
      await dispatch(h, 'cert:add', { email: 'info@example.com', file: picked.value.file, password: 'pw' }, true),
    ).toMatchObject({ ok: true, value: { email: 'info@example.com' } });
    expect(
      await dispatch(h, 'cert:add', { email: 'info@example.com', file: '0'.repeat(32), password: 'pw' }, true),
    ).toMatchObject({ ok: false, error: { code: 'FILE_TOKEN_UNKNOWN' } });
    await dispatch(h, 'composition:create', { name: 'T' }, true);
    await dispatch(h, 'composition:set-cert', { name: 'T', email: 'info@example.com', enabled: true }, true);
    const r = await dispatch(h, 'reflect:export', { name: 'T', passphrase: 'a long bundle passphrase' }, true);
    expect(r).toMatchObject({ ok: true, value: { file: out, certificates: 1 } });
    expect(events).toEqual([
      'reflect:progress:reading-keychain',
      'reflect:progress:encrypting',
      'reflect:progress:writing',
      'reflect:progress:done',
    ]);
    await dispatch(h, 'composition:set-bcc', { name: 'T', on: true }, true);
    const sent = await dispatch(
      h,
      'test:send',
      {
        name: 'T',
        at: new Date().toISOString(),
        source: {
          kind: 'compose',
          from: 'info@example.com',
          to: ['a@example.org', 'b@docomo.ne.jp'],
          cc: [],
          // a Bcc: the message does not name it, so the relay takes it for a copy; so does the preview
          bcc: ['hidden@example.org'],
          bccCopies: [],
          subject: 'こんにちは',
          body: 'テスト本文',
          attachments: [{ name: '請求書.pdf', type: 'application/pdf', bytes: new Uint8Array([1, 2, 3]) }],
        },
      },
      true,
    );
    expect(sent).toMatchObject({
      ok: true,
      value: {
        decisions: [
          { action: 'sign' },
          { action: 'unsigned', reason: 'destination-exception' },
          { recipient: 'hidden@example.org', action: 'unsigned', reason: 'bcc-copy' },
        ],
      },
    });
    const json = JSON.stringify(sent);
    expect(json).not.toContain('"pw"');
    expect(json).not.toMatch(/PRIVATE KEY/);
  });
});
