/**
 * npm run bench:relay — one JSON line: the relay (`node out/cli.js relay`, the real binary) on
 * loopback, client → relay → sink, against a direct client → sink send, in the same run.
 *   signing:      a bundle for bench@example.com with no exception: every message is signed
 *   pass-through: the same binary, inbound path, pipeline (parse + decide) and outbound path,
 *                 with a bundle whose only destination exception is ".*": every delivery is
 *                 unsigned, so the difference is the signing itself
 * 10 KB and 100 KB messages, concurrency 1 and 20, 1 and 2 workers; then an open-loop run at
 * half the best signing throughput for the added p99 latency, and one 20 MB message for the
 * worker's peak RSS. The sink runs in its own process. BENCH_RELAY_QUICK=1: same fields, short.
 */
import { execFileSync, spawn, fork, type ChildProcess } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { SMTPServer } from 'smtp-server';
import { writeBundle } from '../main/core/relay/bundle';
import { signingFixture } from './fixtures';

const quick = process.env.BENCH_RELAY_QUICK === '1';
const RUN_S = quick ? 0.4 : 3;
const WARM_S = quick ? 0.1 : 0.5;
const BIG_BYTES = quick ? 2 * 1024 * 1024 : 20 * 1024 * 1024;
const PASS = 'bench relay passphrase';
const FROM = 'bench@example.com';
const CLI = join(__dirname, 'cli.js');

// ------------------------------------------------------------------ the sink (child process)

function sinkChild(): void {
  let count = 0;
  let bytes = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    maxClients: 1000,
    onData(stream, _s, cb) {
      stream.on('data', (c: Buffer) => (bytes += c.length));
      stream.on('end', () => {
        count++;
        cb(null, 'Ok: sunk');
      });
    },
  });
  server.listen(0, '127.0.0.1', () => {
    process.send!({ port: (server.server.address() as { port: number }).port });
  });
  process.on('message', (m: string) => {
    if (m === 'count') {
      const c = process.cpuUsage();
      process.send!({ count, bytes, cpuSeconds: (c.user + c.system) / 1e6 });
    }
    if (m === 'exit') server.close(() => process.exit(0));
  });
}

interface Sink {
  port: number;
  count(): Promise<number>;
  /** CPU seconds the sink process used so far */
  cpu(): Promise<number>;
  stop(): void;
}

async function startSink(): Promise<Sink> {
  const child = fork(__filename, ['--sink'], { stdio: 'ignore', env: process.env });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  const ask = () =>
    new Promise<{ count: number; cpuSeconds: number }>((resolve) => {
      child.once('message', resolve);
      child.send('count');
    });
  return {
    port,
    count: async () => (await ask()).count,
    cpu: async () => (await ask()).cpuSeconds,
    stop: () => child.send('exit'),
  };
}

// ------------------------------------------------------------------ fixtures

interface Bundles {
  sign: string;
  pass: string;
  signEc: string;
  /** the PEM private keys of the two signers, for the same run's raw signing cost */
  rsaKey: string;
  ecKey: string;
}

function bundles(dir: string): Bundles {
  const certOf = (fixtureDir: string) => {
    const x = new X509Certificate(readFileSync(join(fixtureDir, 'leaf.pem')));
    return {
      email: FROM,
      fingerprintSha256: x.fingerprint256,
      subject: x.subject,
      issuer: x.issuer,
      notBefore: new Date(x.validFrom).toISOString(),
      notAfter: new Date(x.validTo).toISOString(),
      p12: readFileSync(join(fixtureDir, 'b.p12')),
      password: 'bench',
    };
  };
  const rsaDir = join(dir, 'rsa-fixture');
  const ecDir = join(dir, 'ec-fixture');
  mkdirSync(rsaDir);
  mkdirSync(ecDir);
  signingFixture(rsaDir, { email: FROM });
  signingFixture(ecDir, { email: FROM, key: 'ec' });
  const out = { sign: join(dir, 'sign'), pass: join(dir, 'pass'), signEc: join(dir, 'sign-ec') };
  const meta = { createdAt: new Date(), createdBy: 'bench', serial: 1 };
  for (const [kind, fixtureDir, exceptions] of [
    ['sign', rsaDir, []],
    ['pass', rsaDir, [{ id: 1, pattern: '.*', enabled: true, isDefault: false, note: 'bench: everything unsigned' }]],
    ['signEc', ecDir, []],
  ] as const) {
    mkdirSync(out[kind]);
    const composition = {
      id: `bench-${kind}`,
      name: `Bench ${kind}`,
      intelligentBcc: false,
      destinationExceptions: [...exceptions],
      headerExceptions: [],
    };
    writeFileSync(
      join(out[kind], 'bench.smime-bundle.json'),
      writeBundle(PASS, composition, [certOf(fixtureDir)], meta),
      { mode: 0o600 },
    );
  }
  return {
    ...out,
    rsaKey: readFileSync(join(rsaDir, 'leaf.key'), 'utf8'),
    ecKey: readFileSync(join(ecDir, 'leaf.key'), 'utf8'),
  };
}

/** CPU ms of one signature over a signed-attributes-sized input with `pem`, in this process (sync, as OpenSSL speed does). */
function signCostMs(pem: string): number {
  const key = createPrivateKey(pem);
  const data = randomBytes(230);
  for (let i = 0; i < 20; i++) sign('sha256', data, key);
  let n = 0;
  const t = process.cpuUsage();
  const until = performance.now() + (quick ? 200 : 1000);
  while (performance.now() < until) {
    sign('sha256', data, key);
    n++;
  }
  const c = process.cpuUsage(t);
  return (c.user + c.system) / 1000 / n;
}

/** CPU ms of one signature handed to libuv's thread pool and back (crypto.sign with a callback), one at a time. */
async function signCostAsyncMs(pem: string): Promise<number> {
  const key = createPrivateKey(pem);
  const data = randomBytes(230);
  const once = () =>
    new Promise<void>((resolve, reject) => sign('sha256', data, key, (e) => (e ? reject(e) : resolve())));
  for (let i = 0; i < 20; i++) await once();
  let n = 0;
  const t = process.cpuUsage();
  const until = performance.now() + (quick ? 200 : 1000);
  while (performance.now() < until) {
    await once();
    n++;
  }
  const c = process.cpuUsage(t);
  return (c.user + c.system) / 1000 / n;
}

/** `openssl speed`'s RSA-2048 sign time in ms, the reference for the same operation outside Node. */
function opensslRsa2048SignMs(): number | null {
  try {
    const out = execFileSync('openssl', ['speed', '-seconds', quick ? '1' : '2', 'rsa2048'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    const m = /^rsa 2048 bits\s+([\d.]+)s/m.exec(out);
    return m ? Number(m[1]) * 1000 : null;
  } catch {
    return null;
  }
}

function messageOf(bytes: number): Buffer {
  const head = `From: Bench <${FROM}>\r\nTo: customer@example.org\r\nSubject: Your order\r\nDate: Sat, 28 Nov 2026 10:00:00 +0900\r\nMessage-ID: <bench-${bytes}@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n`;
  const line = 'Thank you for your order. Your parcel ships tomorrow. Kind regards, the shop.\r\n';
  const n = Math.max(1, Math.ceil((bytes - head.length) / line.length));
  return Buffer.from(head + line.repeat(n)).subarray(0, bytes);
}

// ------------------------------------------------------------------ the relay (the real binary)

interface Relay {
  port: number;
  statusPort: number;
  child: ChildProcess;
  workerMaxRss(): Promise<number[]>;
  /** CPU seconds used by all workers so far */
  workerCpu(): Promise<number>;
  /** the relay's own transaction histogram (end of DATA to reply): [upper bound in s, cumulative count] */
  histogram(): Promise<(readonly [number, number])[]>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

async function startRelay(bundleDir: string, composition: string, workers: number, upstream: number): Promise<Relay> {
  const port = await freePort();
  const statusPort = await freePort();
  const child = spawn(
    process.execPath,
    [
      // e.g. BENCH_RELAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": the relay's workers inherit them
      ...(process.env.BENCH_RELAY_NODE_ARGS ?? '').split(' ').filter(Boolean),
      CLI,
      'relay',
      '--bundle-dir',
      bundleDir,
      '--composition',
      composition,
      '--passphrase-env',
      'BENCH_PASS',
      '--listen',
      `127.0.0.1:${port}`,
      '--upstream',
      `127.0.0.1:${upstream}`,
      '--mode',
      'smtp',
      '--workers',
      String(workers),
      '--status',
      `127.0.0.1:${statusPort}`,
      '--max-size',
      '32',
      '--max-connections',
      '200',
    ],
    { env: { ...process.env, BENCH_PASS: PASS }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('"event":"ready"')) {
        // from here on the transaction log is only drained
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`relay exited ${code}: ${err}`)));
  });
  const status = async () =>
    (await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as {
      workers: { memory: { maxRssBytes: number }; cpuSeconds: number }[];
    };
  return {
    port,
    statusPort,
    child,
    workerMaxRss: async () => (await status()).workers.map((w) => w.memory.maxRssBytes),
    workerCpu: async () => (await status()).workers.reduce((n, w) => n + w.cpuSeconds, 0),
    histogram: async () => {
      const text = await (await fetch(`http://127.0.0.1:${statusPort}/metrics`)).text();
      return [...text.matchAll(/^smime_relay_transaction_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map(
        (m) => [m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])] as const,
      );
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

// ------------------------------------------------------------------ the load

function connect(port: number): Promise<SMTPConnection> {
  const c = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true, socketTimeout: 60_000, logger: false });
  return new Promise((resolve, reject) => {
    c.once('error', reject);
    c.connect(() => resolve(c));
  });
}

function sendOne(c: SMTPConnection, msg: Buffer): Promise<boolean> {
  return new Promise((resolve) => c.send({ from: FROM, to: ['customer@example.org'] }, msg, (err) => resolve(!err)));
}

const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r2 = (x: number) => Math.round(x * 100) / 100;

interface RunResult {
  sent: number;
  failed: number;
  msgsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** `conc` connections sending back to back for RUN_S seconds (after a warm-up that is not counted). */
async function closedLoop(port: number, msg: Buffer, conc: number, seconds = RUN_S): Promise<RunResult> {
  const conns = await Promise.all(Array.from({ length: conc }, () => connect(port)));
  const lat: number[] = [];
  let sent = 0;
  let failed = 0;
  let measuring = false;
  let running = true;
  const loops = conns.map(async (c) => {
    while (running) {
      const t = performance.now();
      const ok = await sendOne(c, msg);
      if (ok) sent++;
      else failed++;
      if (measuring && ok) lat.push(performance.now() - t);
    }
  });
  await new Promise((r) => setTimeout(r, WARM_S * 1000));
  const sentBefore = sent;
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const measured = sent - sentBefore;
  const secs = (performance.now() - t0) / 1000;
  running = false;
  await Promise.all(loops);
  for (const c of conns) c.quit();
  return { sent, failed, msgsPerSec: r2(measured / secs), p50Ms: r2(pct(lat, 50)), p99Ms: r2(pct(lat, 99)) };
}

/** Messages scheduled at a fixed rate (open loop): latency counts from the scheduled time. */
async function openLoop(port: number, msg: Buffer, rate: number): Promise<RunResult> {
  const pool = await Promise.all(Array.from({ length: 40 }, () => connect(port)));
  const free = [...pool];
  const waiting: ((c: SMTPConnection) => void)[] = [];
  const take = () => (free.length ? Promise.resolve(free.pop()!) : new Promise<SMTPConnection>((r) => waiting.push(r)));
  const give = (c: SMTPConnection) => (waiting.length ? waiting.shift()!(c) : free.push(c));
  const total = Math.max(10, Math.round(rate * RUN_S));
  const lat: number[] = [];
  let sent = 0;
  let failed = 0;
  const t0 = performance.now();
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const at = t0 + (i * 1000) / rate;
    const wait = at - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    jobs.push(
      (async () => {
        const c = await take();
        const ok = await sendOne(c, msg);
        give(c);
        if (ok) {
          sent++;
          lat.push(performance.now() - at);
        } else failed++;
      })(),
    );
  }
  await Promise.all(jobs);
  const secs = (performance.now() - t0) / 1000;
  for (const c of pool) c.quit();
  return { sent, failed, msgsPerSec: r2(sent / secs), p50Ms: r2(pct(lat, 50)), p99Ms: r2(pct(lat, 99)) };
}

/** The 99th percentile of what a histogram counted between two scrapes, as its bucket's upper bound in ms. */
function p99Between(before: (readonly [number, number])[], after: (readonly [number, number])[]): number {
  const counts = after.map(([le, n], i) => [le, n - (before[i]?.[1] ?? 0)] as const);
  const total = counts.at(-1)?.[1] ?? 0;
  return (counts.find(([, n]) => n >= total * 0.99)?.[0] ?? Infinity) * 1000;
}

async function received(sink: Sink, expected: number): Promise<number> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const n = await sink.count();
    if (n >= expected || Date.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  if (process.argv.includes('--sink')) return sinkChild();
  const dir = mkdtempSync(join(tmpdir(), 'smime-bench-relay-'));
  // what else the machine was doing: the figures only mean something next to this
  const loadBefore = loadavg().map(r2);
  const sink = await startSink();
  let peakRss = 0;
  try {
    const b = bundles(dir);
    const sizes = [10 * 1024, 100 * 1024];
    const concs = [1, 20];
    const runs: Record<string, unknown>[] = [];
    let allReceived = true;
    const direct = new Map<string, RunResult>();
    for (const size of sizes)
      for (const conc of concs) {
        const before = await sink.count();
        const r = await closedLoop(sink.port, messageOf(size), conc);
        const got = (await received(sink, before + r.sent)) - before;
        allReceived &&= got === r.sent;
        direct.set(`${size}/${conc}`, r);
        runs.push({ path: 'direct', workers: 0, sizeKB: size / 1024, conc, ...r, received: got });
      }
    const tput = new Map<string, number>();
    const cpu = new Map<string, number>();
    /** CPU ms per message of the whole machine's part in a run: relay workers, the load generator (this process), the sink */
    const machineCpu = new Map<string, number>();
    /** cores kept busy by the same three during the run */
    const coresBusy = new Map<string, number>();
    const PATH = { sign: 'relay-signing', pass: 'relay-pass-through', signEc: 'relay-signing-ecdsa-p256' } as const;
    for (const workers of [1, 2])
      for (const kind of ['sign', 'pass', 'signEc'] as const) {
        const relay = await startRelay(b[kind], `bench-${kind}`, workers, sink.port);
        try {
          for (const size of kind === 'signEc' ? [sizes[0]!] : sizes)
            for (const conc of kind === 'signEc' ? [20] : concs) {
              const before = await sink.count();
              const cpuBefore = await relay.workerCpu();
              const sinkCpuBefore = await sink.cpu();
              const selfBefore = process.cpuUsage();
              const wallBefore = performance.now();
              const r = await closedLoop(relay.port, messageOf(size), conc);
              const got = (await received(sink, before + r.sent)) - before;
              const wallS = (performance.now() - wallBefore) / 1000;
              const self = process.cpuUsage(selfBefore);
              const cpuMs = ((await relay.workerCpu()) - cpuBefore) * 1000;
              const otherMs = ((await sink.cpu()) - sinkCpuBefore) * 1000 + (self.user + self.system) / 1000;
              allReceived &&= got === r.sent && r.failed === 0;
              const d = direct.get(`${size}/${conc}`)!;
              const key = `${kind}/${workers}/${size}/${conc}`;
              tput.set(key, r.msgsPerSec);
              cpu.set(key, cpuMs / Math.max(1, r.sent));
              machineCpu.set(key, (cpuMs + otherMs) / Math.max(1, r.sent));
              coresBusy.set(key, (cpuMs + otherMs) / 1000 / wallS);
              runs.push({
                path: PATH[kind],
                workers,
                sizeKB: size / 1024,
                conc,
                ...r,
                received: got,
                // worker CPU per message (all workers, warm-up included): less sensitive to a busy machine
                relayCpuMsPerMessage: r2(cpuMs / Math.max(1, r.sent)),
                // the load generator's and the sink's CPU per message in the same run
                clientAndSinkCpuMsPerMessage: r2(otherMs / Math.max(1, r.sent)),
                coresBusy: r2(coresBusy.get(key)!),
                addedP50Ms: r2(r.p50Ms - d.p50Ms),
                addedP99Ms: r2(r.p99Ms - d.p99Ms),
              });
            }
          peakRss = Math.max(peakRss, ...(await relay.workerMaxRss()));
        } finally {
          await relay.stop();
        }
      }

    // open loop at half the best signing throughput (10 KB, concurrency 20)
    const best = Math.max(tput.get(`sign/1/${sizes[0]}/20`)!, tput.get(`sign/2/${sizes[0]}/20`)!);
    const bestWorkers = best === tput.get(`sign/2/${sizes[0]}/20`) ? 2 : 1;
    const half = Math.max(5, Math.floor(best / 2));
    const baseHalf = await openLoop(sink.port, messageOf(sizes[0]!), half);
    const relay = await startRelay(b.sign, 'bench-sign', bestWorkers, sink.port);
    let atHalf: RunResult;
    let internalP99AtHalf = 0;
    try {
      // as the direct run's connections are open before its clock starts, the relay's upstream pool is too
      await closedLoop(relay.port, messageOf(sizes[0]!), 20, WARM_S);
      const before = await sink.count();
      const histBefore = await relay.histogram();
      atHalf = await openLoop(relay.port, messageOf(sizes[0]!), half);
      internalP99AtHalf = p99Between(histBefore, await relay.histogram());
      const got = (await received(sink, before + atHalf.sent)) - before;
      allReceived &&= got === atHalf.sent && atHalf.failed === 0;
      peakRss = Math.max(peakRss, ...(await relay.workerMaxRss()));
    } finally {
      await relay.stop();
    }

    // one big message through a fresh single worker: how much it adds to the worker's peak RSS
    const big = Buffer.concat([
      Buffer.from(
        `From: ${FROM}\r\nTo: customer@example.org\r\nSubject: Big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n`,
      ),
      Buffer.from(
        randomBytes(Math.floor((BIG_BYTES * 0.74) / 57) * 57)
          .toString('base64')
          .replace(/.{76}/g, '$&\r\n'),
      ),
      Buffer.from('\r\n--b--\r\n'),
    ]);
    const solo = await startRelay(b.sign, 'bench-sign', 1, sink.port);
    let bigResult: Record<string, unknown>;
    try {
      // warm the worker with a few small messages first, so the baseline is a running relay's
      await closedLoop(solo.port, messageOf(sizes[0]!), 1);
      const [baseRss] = await solo.workerMaxRss();
      const before = await sink.count();
      const c = await connect(solo.port);
      const t = performance.now();
      const ok = await sendOne(c, big);
      const ms = performance.now() - t;
      c.quit();
      const got = (await received(sink, before + 1)) - before;
      allReceived &&= ok && got === 1;
      const [after] = await solo.workerMaxRss();
      peakRss = Math.max(peakRss, after!);
      bigResult = {
        sizeMB: r2(big.length / 1048576),
        ms: r2(ms),
        accepted: ok,
        received: got,
        workerPeakRssBeforeMB: r2(baseRss! / 1048576),
        workerPeakRssAfterMB: r2(after! / 1048576),
        addedRssMB: r2((after! - baseRss!) / 1048576),
        addedRssPerMessageSize: r2((after! - baseRss!) / big.length),
      };
    } finally {
      await solo.stop();
    }

    const ratio = (w: number, kind = 'sign') =>
      r2(tput.get(`${kind}/${w}/${sizes[0]}/20`)! / tput.get(`pass/${w}/${sizes[0]}/20`)!);
    // What this machine allows, estimated from the same run. Signing adds at least one private-key operation to
    // each message. Assuming a signed message costs the machine (relay, load generator and sink together) at least
    // what a passed-through one cost plus one signature, and the cores are all there is, signing throughput is at
    // most cores / (that CPU per message); over the measured pass-through, that is the best ratio. Two workers can
    // gain at most what one signing worker leaves of the cores, assuming a message does not get cheaper with two.
    const rsaSignMs = signCostMs(b.rsaKey);
    const ecSignMs = signCostMs(b.ecKey);
    const opensslRsaMs = opensslRsa2048SignMs();
    // what handing one signature to the thread pool and back costs on top of the signature itself (one at a time)
    const ecAsyncMs = await signCostAsyncMs(b.ecKey);
    const cores = availableParallelism();
    const passMachine = (w: number) => machineCpu.get(`pass/${w}/${sizes[0]}/20`)!;
    const bestRatio = (signMs: number) => {
      const at = (w: number) =>
        r2((cores * 1000) / ((passMachine(w) + signMs) * tput.get(`pass/${w}/${sizes[0]}/20`)!));
      return { workers1: at(1), workers2: at(2) };
    };
    const scale = r2(tput.get(`sign/2/${sizes[0]}/20`)! / tput.get(`sign/1/${sizes[0]}/20`)!);
    const addedP99AtHalf = r2(atHalf.p99Ms - baseHalf.p99Ms);
    const out = {
      quick,
      cores,
      loadAverage1mBeforeAfter: [loadBefore[0], r2(loadavg()[0]!)],
      node: process.version,
      baseline:
        'pass-through: same binary and path (smtp-server in, pipeline parse+decide, nodemailer out), bundle whose only destination exception is ".*"',
      runSeconds: RUN_S,
      runs,
      signingVsPassThrough10KBConc20: { workers1: ratio(1), workers2: ratio(2) },
      // the same comparison by worker CPU per message (1 worker): the throughput ratio a relay with a core of its
      // own would reach, whatever else the machine is doing
      workerCpuMsPerMessage10KBConc20: {
        signing: r2(cpu.get(`sign/1/${sizes[0]}/20`)!),
        passThrough: r2(cpu.get(`pass/1/${sizes[0]}/20`)!),
        passThroughOverSigning: r2(cpu.get(`pass/1/${sizes[0]}/20`)! / cpu.get(`sign/1/${sizes[0]}/20`)!),
      },
      twoWorkersVsOne10KBConc20Signing: scale,
      // this machine's limits for the two targets above, estimated from the same run (docs/relay.md, "Operating notes")
      estimatedBestOnThisMachine: {
        rsa2048SignCpuMs: {
          node: r2(rsaSignMs * 1000) / 1000,
          openssl: opensslRsaMs === null ? null : r2(opensslRsaMs * 1000) / 1000,
        },
        ecdsaP256SignCpuMs: r2(ecSignMs * 1000) / 1000,
        // why an ECDSA key signs in place and an RSA key on the thread pool (signature.ts)
        threadPoolHandoffCpuMs: r2((ecAsyncMs - ecSignMs) * 1000) / 1000,
        passThroughMachineCpuMsPerMessage10KBConc20: { workers1: r2(passMachine(1)), workers2: r2(passMachine(2)) },
        signingVsPassThroughWithRsa2048: bestRatio(rsaSignMs),
        signingVsPassThroughWithEcdsaP256: bestRatio(ecSignMs),
        coresBusyOneWorkerSigning: r2(coresBusy.get(`sign/1/${sizes[0]}/20`)!),
        twoWorkersVsOne: r2(cores / coresBusy.get(`sign/1/${sizes[0]}/20`)!),
      },
      // the same relay and path with an ECDSA P-256 certificate: what is left of the cost once RSA is gone
      ecdsaP256SigningVsPassThrough10KBConc20: { workers1: ratio(1, 'signEc'), workers2: ratio(2, 'signEc') },
      atHalfMaxThroughput: {
        rate: half,
        workers: bestWorkers,
        relay: atHalf,
        direct: baseHalf,
        addedP50Ms: r2(atHalf.p50Ms - baseHalf.p50Ms),
        addedP99Ms: addedP99AtHalf,
        // time inside the relay only (end of DATA to reply), from its own histogram: at most this bucket bound
        relayInternalP99AtMostMs: internalP99AtHalf,
      },
      bigMessage: bigResult,
      peakWorkerRssMB: r2(peakRss / 1048576),
      targets: {
        signingAtLeast70PctOfPassThrough: ratio(2) >= 0.7,
        twoWorkersAtLeast1_7xOne: scale >= 1.7,
        p99AddedAtHalfMaxAtMost50ms: addedP99AtHalf <= 50,
        bigMessageAddsAtMost3xItsSize: (bigResult.addedRssPerMessageSize as number) <= 3,
        receivedEqualsSentInEveryRun: allReceived,
      },
    };
    process.stdout.write(JSON.stringify(out) + '\n');
  } finally {
    sink.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-relay: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
