/**
 * "In effect" is true only when every relay of a composition runs its latest reflection: a real
 * relay (main/server, in process) watches the composition's publish folder; the admin service
 * asks it over HTTP, as the app and `smime-admin servers status` do.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../../../main/server/relay';
import { seededService } from '../../helpers/admin';
import { TestPki } from '../../helpers/pki';
import { tempDir } from '../../helpers/stores';

let pki: TestPki;
const relays: RunningRelay[] = [];
beforeAll(() => {
  pki = new TestPki();
});
afterAll(async () => {
  for (const r of relays) await r.stop(100);
  pki.cleanup();
});

const PASS = 'a long bundle passphrase';
const quiet = new Writable({ write: (_c, _e, cb) => cb() });

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('servers: is the latest reflection in effect?', () => {
  it('says not in effect until the relay loaded the published bundle, then in effect', async () => {
    const { svc } = await seededService(pki);
    const publish = tempDir();
    svc.setPublishDir('Transactional', publish);
    const first = await svc.reflect('Transactional', PASS, null);
    expect(readdirSync(publish)).toEqual([first.published!.split('/').pop()]);
    expect(first.published).toMatch(/\/transactional-[0-9a-f]{8}-r1-\d{8}T\d{6}Z\.smime-bundle\.json$/);

    const relay = await startRelay({
      bundleDir: publish,
      composition: 'Transactional',
      upstream: { host: '127.0.0.1', port: 9 },
      listen: { host: '127.0.0.1', port: 0 },
      status: { host: '127.0.0.1', port: 0 },
      passphrase: PASS,
      rescanMs: 200,
      logDestination: quiet,
    });
    relays.push(relay);
    const url = `http://127.0.0.1:${relay.ports.status}`;
    const down = 'http://127.0.0.1:9';
    svc.setServers('Transactional', [url, down]);
    let [s] = await svc.serversStatus('Transactional');
    expect(s!.inEffect).toBe(false); // one of the two does not answer
    expect(s!.servers.find((x) => x.url === down)).toMatchObject({
      reachable: false,
      reason: 'refused',
      current: false,
    });
    expect(s!.servers.find((x) => x.url === url)).toMatchObject({
      reachable: true,
      serial: 1,
      runsSerial: 1,
      current: true,
    });
    svc.setServers('Transactional', [url]);
    [s] = await svc.serversStatus('Transactional');
    expect(s).toMatchObject({ inEffect: true, latestSerial: 1 });

    // a new reflection is not in effect until the relay loads it
    svc.setIntelligentBcc('Transactional', true);
    svc.setPublishDir('Transactional', null); // this one is kept back from the relays
    const tmp = tempDir();
    mkdirSync(join(tmp, 'held'));
    await svc.reflect('Transactional', PASS, join(tmp, 'held'));
    [s] = await svc.serversStatus('Transactional');
    expect(s).toMatchObject({ inEffect: false, latestSerial: 2 });
    expect(s!.servers[0]).toMatchObject({ serial: 1, current: false });
    svc.setPublishDir('Transactional', publish);
    const third = await svc.reflect('Transactional', PASS, null);
    await until(async () => (await svc.serversStatus('Transactional'))[0]!.inEffect);
    [s] = await svc.serversStatus('Transactional');
    expect(s!.servers[0]).toMatchObject({
      serial: third.serial,
      runsSerial: third.serial,
      current: true,
      lastReloadError: null,
    });
    expect(svc.history('Transactional').map((h) => h.serial)).toEqual([3, 2, 1]);
  });

  it('re-exports an older reflection as a new, newer one that the relay accepts', async () => {
    const { svc } = await seededService(pki);
    const publish = tempDir();
    svc.setPublishDir('Transactional', publish);
    await svc.reflect('Transactional', PASS, null);
    svc.addDestinationException('Transactional', '@partner\\.example$');
    await svc.reflect('Transactional', PASS, null);
    const r = await svc.reflect('Transactional', PASS, null, undefined, { reexportOf: 1 });
    expect(r.serial).toBe(3);
    expect(
      svc.getComposition('Transactional').destinationExceptions.some((e) => e.pattern === '@partner\\.example$'),
    ).toBe(false);
    expect(svc.pending('Transactional')[0]!.changes).toEqual([]);
    expect(svc.history('Transactional')[0]).toMatchObject({ serial: 3, reexportOf: 1 });
    expect(readdirSync(publish)).toHaveLength(3);
  });
});
