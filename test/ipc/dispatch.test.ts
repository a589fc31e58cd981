import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHANNELS, EVENTS, requestSchemas } from '../../main/contract/channels';
import { assertNoSecrets, dispatch, registerIpc } from '../../main/ipc/dispatch';
import { local } from '../../main/core/domain/remote';
import { createHandlers, type Dialogs, type Handlers } from '../../main/ipc/handlers';
import { isTrustedSender } from '../../main/electron/app';
import { APP_URL } from '../../main/electron/security';
import { setLogSink } from '../../main/logging';
import { createApi, EVENT_METHODS, METHOD_NAMES } from '../../preload/api';
import { makeService } from '../helpers/stores';
setLogSink(() => undefined);

describe('IPC dispatch', () => {
  const spyHandlers = () => {
    const calls: string[] = [];
    const h = Object.fromEntries(
      CHANNELS.map((c) => [c, async (r: unknown) => (calls.push(c), { echo: r })]),
    ) as unknown as Handlers;
    return { h, calls };
  };

  it('refuses malformed, oversized, unknown and foreign requests before any core call', async () => {
    const { h, calls } = spyHandlers();
    expect(await dispatch(h, 'cert:add', { email: 'a@b.c' }, true)).toMatchObject({
      ok: false,
      error: { code: 'IPC_INVALID', message: expect.stringMatching(/^invalid request cert:add: file: /) },
    });
    // the field at fault travels as a path and an issue code, for the renderer to word
    expect(await dispatch(h, 'composition:create', { name: '' }, true)).toMatchObject({
      ok: false,
      error: { code: 'IPC_INVALID', field: { path: 'name', issue: 'required' } },
    });
    expect(
      await dispatch(h, 'exception:add-destination', { name: 'T', pattern: 'x'.repeat(1001) }, true),
    ).toMatchObject({
      ok: false,
      error: { code: 'IPC_INVALID', field: { path: 'pattern', issue: 'too-long', limit: 1000 } },
    });
    // a limit is said in the field's unit: entries of a list, or a number, not characters
    expect(
      await dispatch(h, 'composition:set-servers', { name: 'T', servers: Array(51).fill('http://127.0.0.1:1') }, true),
    ).toMatchObject({ ok: false, error: { field: { path: 'servers', issue: 'too-many', limit: 50 } } });
    expect(await dispatch(h, 'settings:update', { warnDays: [] }, true)).toMatchObject({
      ok: false,
      error: { field: { path: 'warnDays', issue: 'too-few', limit: 1 } },
    });
    expect(await dispatch(h, 'settings:update', { warnDays: [400] }, true)).toMatchObject({
      ok: false,
      error: { field: { path: 'warnDays.0', issue: 'too-large', limit: 365 } },
    });
    expect(await dispatch(h, 'cert:list', { extra: 1 }, true)).toMatchObject({
      ok: false,
      error: { code: 'IPC_INVALID' },
    });
    expect(await dispatch(h, 'cert:list', 'nonsense', true)).toMatchObject({
      ok: false,
      error: { code: 'IPC_INVALID' },
    });
    expect(await dispatch(h, 'composition:create', { name: 'x'.repeat(300_000) }, true)).toMatchObject({
      ok: false,
      error: { code: 'IPC_TOO_LARGE' },
    });
    expect(await dispatch(h, 'shell:exec', {}, true)).toMatchObject({
      ok: false,
      error: { code: 'IPC_INVALID', message: 'unknown request shell:exec' },
    });
    expect(await dispatch(h, 'cert:list', {}, false)).toMatchObject({ ok: false, error: { code: 'IPC_FORBIDDEN' } });
    expect(calls).toEqual([]);
    expect(await dispatch(h, 'cert:list', {}, true)).toEqual({ ok: true, value: { echo: {} } });
    expect(calls).toEqual(['cert:list']);
  });

  it('keeps error codes across IPC and never sends secrets back', async () => {
    const { svc } = makeService();
    const h = createHandlers({ service: local(svc), dialogs: {} as Dialogs });
    expect(await dispatch(h, 'composition:get', { name: 'nope' }, true)).toEqual({
      ok: false,
      error: { code: 'COMPOSITION_NOT_FOUND', message: 'there is no composition named "nope"' },
    });
    const leaky = { ...h, 'cert:list': async () => [{ email: 'a', password: 'x' }] } as unknown as Handlers;
    setLogSink(() => undefined);
    expect(await dispatch(leaky, 'cert:list', {}, true)).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(() => assertNoSecrets({ a: [{ b: { privateKey: 1 } }] })).toThrow(/privateKey looks like a secret/);
  });

  it('checks the sender: our window, its main frame, our origin', () => {
    const mainFrame = { url: APP_URL };
    const webContents = { mainFrame };
    const win = { webContents, isDestroyed: () => false } as never;
    expect(isTrustedSender({ sender: webContents, senderFrame: mainFrame } as never, win)).toBe(true);
    expect(isTrustedSender({ sender: webContents, senderFrame: { url: APP_URL } } as never, win)).toBe(false); // a sub-frame
    expect(isTrustedSender({ sender: {}, senderFrame: mainFrame } as never, win)).toBe(false); // another window
    expect(
      isTrustedSender(
        { sender: webContents, senderFrame: mainFrame } as never,
        { webContents: { mainFrame: { url: 'https://evil/' } }, isDestroyed: () => false } as never,
      ),
    ).toBe(false);
    const evilFrame = { url: 'https://evil.example/' };
    expect(
      isTrustedSender(
        { sender: { mainFrame: evilFrame }, senderFrame: evilFrame } as never,
        { webContents: { mainFrame: evilFrame }, isDestroyed: () => false } as never,
      ),
    ).toBe(false);
    expect(isTrustedSender({ sender: webContents, senderFrame: mainFrame } as never, null)).toBe(false);
  });
});
describe('the contract is complete', () => {
  it('every channel has a schema, a handler, an ipcMain registration and a preload method', () => {
    const { svc } = makeService();
    const handlers = createHandlers({ service: local(svc), dialogs: {} as Dialogs });
    expect(Object.keys(handlers).sort()).toEqual([...CHANNELS].sort());
    const registered: string[] = [];
    registerIpc({ handle: (c: string) => registered.push(c) } as never, handlers, () => true);
    expect(registered.sort()).toEqual([...CHANNELS].sort());
    const invoked: string[] = [];
    const subscribed: string[] = [];
    const api = createApi(
      async (c) => (invoked.push(c), null),
      (e) => (subscribed.push(e), () => undefined),
    ) as unknown as Record<string, (x?: unknown) => unknown>;
    for (const m of Object.values(METHOD_NAMES)) void api[m]!({});
    for (const m of Object.values(EVENT_METHODS)) api[m]!(() => undefined);
    expect(invoked.sort()).toEqual([...CHANNELS].sort());
    expect(subscribed.sort()).toEqual([...EVENTS].sort());
    expect(Object.keys(api)).not.toContain('send');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('every request schema refuses keys it does not know, so nothing unchecked reaches a handler', () => {
    const lax = CHANNELS.filter((c) => requestSchemas[c].safeParse({ unexpectedKey: true }).success);
    expect(lax).toEqual([]);
  });

  it('the preload bundle exposes only window.smime and imports only electron', () => {
    const src = readFileSync(join(__dirname, '..', '..', 'out', 'preload', 'index.js'), 'utf8');
    expect(src.match(/require\("([^"]+)"\)/g)).toEqual(['require("electron")']);
    expect(src).toContain('exposeInMainWorld("smime"');
    expect(src).not.toMatch(/exposeInMainWorld\("(?!smime)/);
  });
});
