import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNELS, type Channel } from '../../main/contract/channels';
import {
  ownWrites,
  watchDataFolder,
  WRITING_CHANNELS,
  type ChangedBy,
  type DataFolderWatch,
} from '../../main/electron/watch';
import { local } from '../../main/core/domain/remote';
import { withFolderLock } from '../../main/core/lock';
import { dispatch } from '../../main/ipc/dispatch';
import { createHandlers, type Dialogs, type Handlers } from '../../main/ipc/handlers';
import { makeService, MemorySecretStore, tempDir } from '../helpers/stores';
import { ConfStateStore } from '../../main/adapters/conf-state-store';
import { AdminService } from '../../main/core/domain/service';

const SETTLE_MS = 60;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the data folder as the window sees it', () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  function watched(lockReports = false) {
    const dir = tempDir();
    writeFileSync(join(dir, 'config.json'), '{}');
    mkdirSync(join(dir, 'certs'));
    const events: ChangedBy[] = [];
    const folder = watchDataFolder(dir, (by) => events.push(by), { settleMs: SETTLE_MS, lockReports });
    stop = () => folder.stop();
    // a writer in this thread that reports its holds to the watch, as the app's domain does
    const locked = <T>(fn: () => T): T => withFolderLock(dir, fn, undefined, (event) => folder.locked(event));
    return { dir, events, folder, locked };
  }

  it("announces the window's own change at once as its own, and the CLI's once its writes settle", async () => {
    const { dir, events, folder } = watched();
    await folder.own(async () => {
      writeFileSync(join(dir, 'config.json'), '{"a":1}');
      appendFileSync(join(dir, 'audit.log'), 'entry\n');
    });
    expect(events).toEqual(['window']);
    // the file system's own events for that change arrive later: they are not news
    await wait(SETTLE_MS * 4);
    expect(events).toEqual(['window']);
    // a request that changed nothing says nothing
    await folder.own(async () => undefined);
    expect(events).toEqual(['window']);
    // the CLI writes: one event, after the writes settle
    writeFileSync(join(dir, 'config.json'), '{"a":2}');
    writeFileSync(join(dir, 'certs', 'x.p12'), 'p12');
    await wait(SETTLE_MS * 4);
    expect(events).toEqual(['window', 'elsewhere']);
    // lock and journal files are ignored
    writeFileSync(join(dir, '.lock'), '');
    await wait(SETTLE_MS * 4);
    expect(events).toEqual(['window', 'elsewhere']);
  });

  it("a change the CLI made just before the window's own request is announced as the CLI's, once", async () => {
    const { dir, events, folder } = watched();
    writeFileSync(join(dir, 'config.json'), '{"cli":true}');
    await folder.own(async () => writeFileSync(join(dir, 'config.json'), '{"cli":true,"window":true}'));
    expect(events).toEqual(['elsewhere']);
    await wait(SETTLE_MS * 4);
    expect(events).toEqual(['elsewhere']);
  });

  it("a CLI write that the window's request waited for is the CLI's, and so is one after the window's hold", async () => {
    const { dir, events, folder, locked } = watched(true);
    const config = join(dir, 'config.json');
    // another process (as the CLI does) takes the folder lock, writes after a while, lets go
    const cli = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'), path = require('path'), os = require('os');
         const dir = process.argv[1], lock = path.join(dir, '.lock');
         fs.mkdirSync(lock);
         fs.writeFileSync(path.join(lock, 'owner.json'), JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }));
         process.stdout.write('locked\\n');
         setTimeout(() => { fs.writeFileSync(path.join(dir, 'config.json'), '{"cli":true}'); fs.rmSync(lock, { recursive: true }); }, 300);`,
        dir,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await once(cli.stdout!, 'data');
    // the window's request starts while the folder is unchanged, waits for the lock, then writes
    await folder.own(async () => locked(() => writeFileSync(config, '{"cli":true,"window":true}')));
    expect(events).toEqual(['elsewhere']);
    await wait(SETTLE_MS * 4);
    expect(events).toEqual(['elsewhere']);
    // alone, the window's write is its own
    await folder.own(async () => locked(() => writeFileSync(config, '{"window":2}')));
    expect(events).toEqual(['elsewhere', 'window']);
    // the CLI writes after the window's hold and before its answer: that is news
    await folder.own(async () => {
      locked(() => writeFileSync(config, '{"window":3}'));
      appendFileSync(join(dir, 'audit.log'), 'the CLI\n');
    });
    expect(events).toEqual(['elsewhere', 'window', 'elsewhere']);
  });

  it("with lock reports, a change during a request that took no lock is not the window's", async () => {
    const { dir, events, folder } = watched(true);
    // the request fails before it holds the lock (say the CLI held it too long); the CLI wrote meanwhile
    await expect(
      folder.own(async () => {
        writeFileSync(join(dir, 'config.json'), '{"cli":1}');
        throw new Error('the data folder is busy');
      }),
    ).rejects.toThrow('busy');
    expect(events).toEqual(['elsewhere']);
  });

  it("a hold that began before the request (reflect behind its dialog) is not the request's change", async () => {
    const { dir, events, folder, locked } = watched(true);
    let open!: () => void;
    const dialog = new Promise<void>((r) => (open = r));
    const reflect = locked(async () => {
      await dialog;
      writeFileSync(join(dir, 'config.json'), '{"reflected":1}');
    });
    await folder.own(async () => {
      open();
      await reflect;
    });
    expect(events).toEqual(['elsewhere']);
  });

  it("runs exactly the writing requests as the window's own", async () => {
    const through: string[] = [];
    const handlers = Object.fromEntries(CHANNELS.map((c) => [c, async () => c])) as unknown as Handlers;
    const wrapped = ownWrites(handlers, {
      own: async (request) => {
        const r = await request();
        through.push(String(r));
        return r;
      },
    });
    for (const c of CHANNELS) expect(await (wrapped[c] as (r: unknown) => Promise<unknown>)({})).toBe(c);
    expect(new Set(through)).toEqual(WRITING_CHANNELS);
  });

  it("with the real service: the window's requests are its own, the CLI's changes are not, reads say nothing", async () => {
    const dir = tempDir();
    const events: ChangedBy[] = [];
    let folder: DataFolderWatch | undefined = undefined;
    const svc = new AdminService({
      store: new ConfStateStore(dir),
      secrets: new MemorySecretStore(),
      dataDir: dir,
      onFolderLock: (event) => folder?.locked(event),
    });
    svc.createComposition('Orders');
    folder = watchDataFolder(dir, (by) => events.push(by), { settleMs: SETTLE_MS, lockReports: true });
    stop = () => folder?.stop();
    const h = ownWrites(createHandlers({ service: local(svc), dialogs: {} as Dialogs }), folder);
    expect(await dispatch(h, 'composition:create', { name: 'Invoices' }, true)).toMatchObject({ ok: true });
    expect(await dispatch(h, 'composition:set-bcc', { name: 'Invoices', on: true }, true)).toMatchObject({
      ok: true,
    });
    await wait(SETTLE_MS * 4);
    expect(events).toEqual(['window', 'window']);
    for (const c of ['composition:list', 'cert:list', 'pending:list', 'audit:list'] as Channel[])
      expect(await dispatch(h, c, {}, true)).toMatchObject({ ok: true });
    await wait(SETTLE_MS * 4);
    expect(events).toEqual(['window', 'window']);
    // the CLI (another process, its own store) renames a composition
    makeService(dir).svc.renameComposition('Orders', 'Receipts');
    await wait(SETTLE_MS * 4);
    expect(events).toEqual(['window', 'window', 'elsewhere']);
  });
});
