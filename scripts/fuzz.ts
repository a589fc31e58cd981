/**
 * npm run fuzz — drives the parsers that read untrusted files with generated and mutated inputs
 * for a fixed time each: the PKCS#12/ASN.1 reader, the MIME parser and canonicaliser, the CMS
 * verifier and the bundle reader. Each target runs in a worker thread with a 200 MB heap; the
 * parent watches it: an input that throws anything but our own one-line errors (a crash), takes
 * over 2 s (a hang) or grows memory past 200 MB (a blow-up) is a finding, written to
 * fuzz-findings/ to become a regression test. A slow input is replayed alone afterwards and
 * counts as a hang only if it still takes over 2 s of CPU (or never ends): on a busy machine
 * wall time alone reports inputs that are merely starved. Not part of CI; prints one JSON line.
 *   node out/fuzz.js [--seconds N per target] [--target pkcs12|asn1|mime|cms|bundle]
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { signingFixture } from './fixtures';

const TARGETS = ['pkcs12', 'asn1', 'mime', 'cms', 'bundle'] as const;
type Target = (typeof TARGETS)[number];
const HANG_MS = 2000;
const MEMORY_MB = 200;

interface Seeds {
  p12: Buffer[];
  messages: Buffer[];
  signed: Buffer[];
  bundles: Buffer[];
}

// ---------------------------------------------------------------- inputs

function rnd(n: number): number {
  return Math.floor(Math.random() * n);
}

/** One mutation of a seed: bit flips, byte runs, truncation, duplication, splices, length bytes. */
function mutate(seed: Buffer, pool: Buffer[]): Buffer {
  let b = Buffer.from(seed);
  const rounds = 1 + rnd(4);
  for (let r = 0; r < rounds; r++) {
    const at = rnd(Math.max(1, b.length));
    switch (rnd(9)) {
      case 0:
        if (b.length) b[at] = b[at]! ^ (1 << rnd(8));
        break;
      case 1:
        if (b.length) b[at] = [0x00, 0xff, 0x80, 0x7f, 0x30, 0x04, 0x0a, 0x0d][rnd(8)]!;
        break;
      case 2:
        b = b.subarray(0, at);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, at), randomBytes(1 + rnd(16)), b.subarray(at)]);
        break;
      case 4:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rnd(32))]);
        break;
      case 5: {
        const len = 1 + rnd(Math.min(512, b.length || 1));
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]);
        break;
      }
      case 6: {
        const other = pool[rnd(pool.length)]!;
        const from = rnd(Math.max(1, other.length));
        b = Buffer.concat([b.subarray(0, at), other.subarray(from, from + 1 + rnd(256)), b.subarray(at)]);
        break;
      }
      case 7:
        // a DER length byte made long-form or indefinite
        if (b.length) b[at] = [0x80, 0x81, 0x82, 0x84, 0x88, 0xff][rnd(6)]!;
        break;
      default:
        b = Buffer.concat([b, b.subarray(0, rnd(Math.min(4096, b.length + 1)))]);
    }
  }
  return b;
}

// ---------------------------------------------------------------- worker: run inputs

async function runWorker(): Promise<void> {
  const { target, seeds, replay } = workerData as { target: Target; seeds: Seeds; replay?: Uint8Array };
  const { SmimeError } = await import('../main/core/errors');
  const { AsnError, decode } = await import('../main/core/engine/der');
  const { openPkcs12 } = await import('../main/core/engine/pkcs12');
  const { parseMessage, prepareSignedEntity } = await import('../main/core/engine/mime');
  const { verifyMessage } = await import('../main/core/engine/smime');
  const { openBundle } = await import('../main/core/relay/bundle');
  const b = (x: Uint8Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  const s: Seeds = {
    p12: seeds.p12.map(b),
    messages: seeds.messages.map(b),
    signed: seeds.signed.map(b),
    bundles: seeds.bundles.map(b),
  };
  const pools: Record<Target, Buffer[]> = {
    pkcs12: s.p12,
    asn1: [...s.p12, ...s.signed],
    mime: s.messages,
    cms: s.signed,
    bundle: s.bundles,
  };
  const run: Record<Target, (x: Buffer) => void> = {
    pkcs12: (x) => void openPkcs12(x, 'secret', 'fuzz.p12'),
    asn1: (x) => {
      const walk = (el: ReturnType<typeof decode>, depth: number): void => {
        if (depth > 64 || !el.constructed) return;
        for (const c of el.children()) walk(c, depth + 1);
      };
      walk(decode(x), 0);
    },
    mime: (x) => {
      parseMessage(x);
      prepareSignedEntity(x);
    },
    cms: (x) => void verifyMessage(x),
    bundle: (x) => void openBundle(x, 'a long fuzz passphrase', 'fuzz.bundle'),
  };
  if (replay) {
    const before = process.cpuUsage();
    try {
      run[target](b(replay));
    } catch {
      // only the time counts here
    }
    const used = process.cpuUsage(before);
    parentPort!.postMessage({ type: 'replayed', cpuMs: Math.round((used.user + used.system) / 1000) });
    return;
  }
  const pool = pools[target];
  for (let n = 0; ; n++) {
    const input = Math.random() < 0.1 ? randomBytes(rnd(2048)) : mutate(pool[rnd(pool.length)]!, pool);
    parentPort!.postMessage({ type: 'start', n, input });
    try {
      run[target](input);
    } catch (e) {
      if (!(e instanceof SmimeError) && !(e instanceof AsnError)) {
        parentPort!.postMessage({
          type: 'crash',
          n,
          message: `${(e as Error).name}: ${(e as Error).message}`.slice(0, 300),
        });
      }
    }
    const mem = process.memoryUsage();
    if (mem.arrayBuffers + mem.heapUsed > MEMORY_MB * 1048576)
      parentPort!.postMessage({ type: 'memory', n, mb: Math.round((mem.arrayBuffers + mem.heapUsed) / 1048576) });
    if (n % 64 === 0) await new Promise((r) => setImmediate(r));
  }
}

// ---------------------------------------------------------------- parent: seeds, watch, report

function makeSeeds(): Seeds {
  const dir = mkdtempSync(join(tmpdir(), 'smime-fuzz-'));
  try {
    const p12: Buffer[] = [];
    for (const flags of [[], ['-legacy'], ['-nomac'], ['-keypbe', 'NONE', '-certpbe', 'NONE']]) {
      p12.push(
        readFileSync(
          signingFixture(dir, { email: 'fuzz@example.com', key: 'ec', password: 'secret', p12Flags: flags }).p12,
        ),
      );
    }
    return { p12, messages: [], signed: [], bundles: [] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function completeSeeds(seeds: Seeds): Promise<Seeds> {
  const { openPkcs12 } = await import('../main/core/engine/pkcs12');
  const { signMessage } = await import('../main/core/engine/smime');
  const { composeMessage } = await import('../main/core/engine/compose');
  const { writeBundle } = await import('../main/core/relay/bundle');
  const id = openPkcs12(seeds.p12[0]!, 'secret');
  const messages = [
    Buffer.from('From: a@example.com\r\nTo: b@example.org\r\nSubject: x\r\n\r\nhello\r\n'),
    Buffer.from(
      'From: a@example.com\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nこんにちは\n.\nFrom me\n',
    ),
    composeMessage({
      from: '山田 <a@example.com>',
      to: ['b@example.org'],
      cc: [],
      subject: '件名',
      body: 'x\n'.repeat(50),
      attachments: [{ name: 'a.bin', type: 'application/octet-stream', bytes: randomBytes(3000) }],
    }),
    Buffer.from(
      'From: a@example.com\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@example.com\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\nx\r\n--c--\r\n--b--\r\n',
    ),
  ];
  const signed = messages.map((m) => signMessage(m, id));
  const bundles = [
    writeBundle(
      'a long fuzz passphrase',
      {
        id: 'c1',
        name: 'Fuzz',
        intelligentBcc: true,
        destinationExceptions: [{ id: 1, pattern: '@docomo\\.ne\\.jp$', enabled: true, isDefault: true }],
        headerExceptions: [],
      },
      [
        {
          email: 'fuzz@example.com',
          fingerprintSha256: id.certificate.fingerprint256,
          subject: 'CN=Fuzz',
          issuer: 'CN=Fuzz CA',
          notBefore: id.certificate.validFrom,
          notAfter: id.certificate.validTo,
          p12: seeds.p12[0]!,
          password: 'secret',
        },
      ],
      { createdAt: new Date(), createdBy: 'fuzz', serial: 1 },
      { N: 1 << 14, r: 8, p: 1 },
    ),
  ];
  return { ...seeds, messages, signed, bundles };
}

interface Finding {
  kind: 'crash' | 'hang' | 'memory';
  detail: string;
  file: string;
}

function runTarget(
  target: Target,
  seeds: Seeds,
  seconds: number,
): Promise<{ target: Target; execs: number; findings: Finding[] }> {
  return new Promise((resolve) => {
    const findings: Finding[] = [];
    let execs = 0;
    let current: { n: number; input: Buffer; at: number } | null = null;
    let worker: Worker;
    const end = Date.now() + seconds * 1000;
    const save = (kind: Finding['kind'], detail: string, input: Buffer): void => {
      mkdirSync('fuzz-findings', { recursive: true });
      const file = join(
        'fuzz-findings',
        `${target}-${kind}-${createHash('sha256').update(input).digest('hex').slice(0, 16)}.bin`,
      );
      writeFileSync(file, input);
      if (!findings.some((f) => f.kind === kind && f.detail === detail)) findings.push({ kind, detail, file });
    };
    const start = (): void => {
      worker = new Worker(__filename, {
        workerData: { target, seeds },
        resourceLimits: { maxOldGenerationSizeMb: MEMORY_MB },
      });
      worker.on('message', (m: { type: string; n: number; input?: Uint8Array; message?: string; mb?: number }) => {
        if (m.type === 'start') {
          execs++;
          current = { n: m.n, input: Buffer.from(m.input!), at: Date.now() };
        } else if (m.type === 'crash' && current) save('crash', m.message!, current.input);
        else if (m.type === 'memory' && current) save('memory', `${m.mb} MB`, current.input);
      });
      worker.on('error', (e) => {
        if (current) save('memory', `worker died: ${e.message}`, current.input);
      });
      worker.on('exit', () => {
        if (Date.now() < end && !stopping) start();
      });
    };
    let stopping = false;
    start();
    const slow: Buffer[] = [];
    const watch = setInterval(() => {
      if (current && Date.now() - current.at > HANG_MS) {
        if (slow.length < 10) slow.push(current.input);
        current = null;
        void worker.terminate();
      }
      if (Date.now() >= end) {
        stopping = true;
        clearInterval(watch);
        void worker.terminate().then(async () => {
          for (const input of slow) {
            const cpuMs = await replay(target, seeds, input);
            if (cpuMs === null || cpuMs > HANG_MS)
              save('hang', cpuMs === null ? `no end within ${10 * HANG_MS} ms` : `over ${HANG_MS} ms of CPU`, input);
          }
          resolve({ target, execs, findings });
        });
      }
    }, 100);
  });
}

/** CPU milliseconds one input takes alone in a fresh worker, or null when it does not end within 10× the limit. */
function replay(target: Target, seeds: Seeds, input: Buffer): Promise<number | null> {
  return new Promise((resolve) => {
    const worker = new Worker(__filename, {
      workerData: { target, seeds, replay: input },
      resourceLimits: { maxOldGenerationSizeMb: MEMORY_MB },
    });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve(null);
    }, 10 * HANG_MS);
    worker.on('message', (m: { type: string; cpuMs?: number }) => {
      if (m.type !== 'replayed') return;
      clearTimeout(timer);
      void worker.terminate();
      resolve(m.cpuMs!);
    });
    worker.on('error', () => {
      clearTimeout(timer);
      resolve(0);
    });
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const seconds = Number(args[args.indexOf('--seconds') + 1]) || 60;
  const only = args.includes('--target') ? (args[args.indexOf('--target') + 1] as Target) : null;
  const seeds = await completeSeeds(makeSeeds());
  const results = [];
  for (const t of TARGETS) {
    if (only && t !== only) continue;
    results.push(await runTarget(t, seeds, seconds));
  }
  process.stdout.write(
    JSON.stringify({
      secondsPerTarget: seconds,
      results,
      findings: results.reduce((n, r) => n + r.findings.length, 0),
    }) + '\n',
  );
}

if (isMainThread) void main();
else void runWorker();
