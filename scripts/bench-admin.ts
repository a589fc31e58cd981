/**
 * npm run bench:admin — one JSON line: the admin core at the scale of a large sender, 10 000
 * certificates and 1 000 compositions, in-process and through the real CLI.
 *   --quick   a short smoke run (CI): 500 certificates, 50 compositions, same fields
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfStateStore } from '../main/adapters/conf-state-store';
import { signingFixture } from './fixtures';
import { inspectIdentity } from '../main/core/engine/certificate';
import { openPkcs12 } from '../main/core/engine/pkcs12';
import { makeRecord, secretAccount } from '../main/core/domain/certificates';
import { newComposition } from '../main/core/domain/compositions';
import { AdminService } from '../main/core/domain/service';
import type { SecretStore } from '../main/core/domain/ports';
import { emptyState } from '../main/core/domain/state';

const quick = process.argv.includes('--quick');
const CERTS = quick ? 500 : 10_000;
const COMPS = quick ? 50 : 1_000;
const REFLECT = quick ? 100 : 1_000;
const PER_COMP = 10;

class Secrets implements SecretStore {
  readonly map = new Map<string, string>();
  async get(a: string) {
    return this.map.get(a) ?? null;
  }
  async set(a: string, s: string) {
    this.map.set(a, s);
  }
  async delete(a: string) {
    return this.map.delete(a);
  }
}

function fixture(dir: string): Buffer {
  return readFileSync(signingFixture(dir, { days: 300 }).p12);
}

function ms(t: number): number {
  return Math.round((performance.now() - t) * 10) / 10;
}

/**
 * `--reflect-in DATA_DIR OUT`: a fresh process opens the store and reflects composition-0, as
 * `smime-admin reflect` does, with the bench's p12 password for each of its certificates (the
 * keychain stood in for), and prints its time and its peak RSS (the whole process, store included).
 */
async function reflectInFreshProcess(dataDir: string, out: string): Promise<void> {
  const t = performance.now();
  const secrets = new Secrets();
  const store = new ConfStateStore(dataDir);
  for (const rec of store.read().certificates) secrets.map.set(secretAccount(rec), 'bench');
  const svc = new AdminService({ store, secrets, dataDir });
  await svc.reflect('composition-0', 'a long bench passphrase', out, undefined, { confirm: 'all' });
  const maxRssMB = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
  process.stdout.write(JSON.stringify({ ms: ms(t), maxRssMB }) + '\n');
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--reflect-in');
  if (at > 0) return reflectInFreshProcess(process.argv[at + 1]!, process.argv[at + 2]!);
  const work = mkdtempSync(join(tmpdir(), 'smime-bench-admin-'));
  try {
    const p12 = fixture(work);
    const ident = openPkcs12(p12, 'bench');
    const info = inspectIdentity(ident);
    const dataDir = join(work, 'data');
    mkdirSync(join(dataDir, 'certs'), { recursive: true });
    const secrets = new Secrets();
    const state = emptyState();
    const now = new Date();
    for (let i = 0; i < CERTS; i++) {
      const rec = makeRecord(
        { id: randomUUID(), version: 1, email: `user${i}@example.com`, addedAt: now.toISOString() },
        info,
        now,
      );
      state.certificates.push(rec);
      if (i < REFLECT) {
        copyFileSync(join(work, 'b.p12'), join(dataDir, 'certs', rec.fileName));
        secrets.map.set(secretAccount(rec), 'bench');
      }
    }
    for (let c = 0; c < COMPS; c++) {
      const ids =
        c === 0
          ? state.certificates.slice(0, REFLECT).map((r) => r.id)
          : Array.from({ length: PER_COMP }, (_, k) => state.certificates[(c * PER_COMP + k) % CERTS]!.id);
      const comp = newComposition(randomUUID(), `composition-${c}`, now.toISOString(), ids);
      state.compositions.push(comp);
    }
    new ConfStateStore(dataDir).save(state);
    const storeMB = Math.round((readFileSync(join(dataDir, 'config.json')).length / 1048576) * 10) / 10;
    let t = performance.now();
    const svc = new AdminService({ store: new ConfStateStore(dataDir), secrets, dataDir });
    svc.getSettings();
    const openStoreMs = ms(t);

    t = performance.now();
    const certs = svc.listCertificates();
    const certListMs = ms(t);
    t = performance.now();
    const comps = svc.listCompositions();
    const compositionListMs = ms(t);
    const compositionListBytes = JSON.stringify(comps).length;
    // linear in what it lists: the bytes per checked certificate stay the same when there are more of them
    const checkedTotal = comps.reduce((n, c) => n + c.certificates.length, 0);
    t = performance.now();
    svc.getComposition('composition-1');
    const compositionGetMs = ms(t);
    t = performance.now();
    svc.pending();
    const pendingMs = ms(t);

    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    t = performance.now();
    const r = await svc.reflect('composition-0', 'a long bench passphrase', join(work, 'bundle.json'), undefined, {
      confirm: 'all',
    });
    const reflectMs = ms(t);
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    const reflectPeakMB = Math.round((peak / 1048576) * 10) / 10;
    const reflectRssGrowthMB = Math.round(((peak - rssBefore) / 1048576) * 10) / 10;

    const cli = (args: string[]) => {
      const t0 = performance.now();
      const p = spawnSync(process.execPath, [join(__dirname, 'cli.js'), '--data-dir', dataDir, ...args], {
        maxBuffer: 1 << 30,
      });
      if (p.status !== 0) throw new Error(p.stderr.toString());
      return { ms: ms(t0), bytes: p.stdout.length };
    };
    const fresh = spawnSync(process.execPath, [__filename, '--reflect-in', dataDir, join(work, 'fresh.json')]);
    if (fresh.status !== 0) throw new Error(fresh.stderr.toString());
    const freshReflect = JSON.parse(fresh.stdout.toString()) as { ms: number; maxRssMB: number };
    const cliNoop = cli(['settings', 'show']);
    const cliCertList = cli(['cert', 'list', '--json']);
    const cliCompositionList = cli(['composition', 'list', '--json']);

    const out = {
      quick,
      node: process.version,
      certificates: CERTS,
      compositions: COMPS,
      storeMB,
      openStoreMs,
      certListMs,
      certListItems: certs.length,
      compositionListMs,
      compositionListBytes,
      compositionListBytesPerItem: Math.round(compositionListBytes / (COMPS + checkedTotal)),
      compositionGetMs,
      pendingMs,
      reflectCertificates: r.certificates,
      reflectMs,
      reflectPeakRssMB: reflectPeakMB,
      reflectRssGrowthMB,
      // what the operator's process pays: a fresh process that opens the store and reflects
      reflectFreshProcessMs: freshReflect.ms,
      reflectFreshProcessPeakRssMB: freshReflect.maxRssMB,
      cliStartupMs: cliNoop.ms,
      cliCertListMs: cliCertList.ms,
      cliCertListMB: Math.round((cliCertList.bytes / 1048576) * 10) / 10,
      cliCompositionListMs: cliCompositionList.ms,
      cliCompositionListMB: Math.round((cliCompositionList.bytes / 1048576) * 10) / 10,
      targets: {
        compositionListUnder300ms: compositionListMs < 300,
        certListUnder500ms: certListMs < 500,
        reflect1000Under2s: reflectMs < 2000,
        reflectUnder200MB: freshReflect.maxRssMB < 200,
      },
    };
    process.stdout.write(JSON.stringify(out) + '\n');
  } finally {
    if (process.env.BENCH_KEEP) process.stderr.write(`kept ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
}

void main();
