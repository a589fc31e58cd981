import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Only the shape is checked here: the figures are judged from `npm run bench:relay` on a quiet machine.
describe('npm run bench:relay (smoke)', () => {
  it('prints one JSON line with every run, the comparisons and the targets', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [join(__dirname, '..', '..', 'out', 'bench-relay.js')],
        { env: { ...process.env, BENCH_RELAY_QUICK: '1' }, timeout: 150_000, encoding: 'utf8' },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const r = JSON.parse(lines[0]!);
    expect(r.quick).toBe(true);
    expect(typeof r.baseline).toBe('string');
    // direct, then signing and pass-through for 1 and 2 workers, 10 and 100 KB, concurrency 1 and 20;
    // and ECDSA signing at 10 KB and concurrency 20 for 1 and 2 workers
    expect(r.runs).toHaveLength(4 + 2 * 2 * 4 + 2);
    for (const run of r.runs) {
      for (const k of ['workers', 'sizeKB', 'conc', 'sent', 'failed', 'msgsPerSec', 'p50Ms', 'p99Ms', 'received'])
        expect(typeof run[k], `${run.path} ${k}`).toBe('number');
      expect(run.sent).toBeGreaterThan(0);
      if (run.path !== 'direct') {
        expect(typeof run.addedP50Ms).toBe('number');
        expect(typeof run.addedP99Ms).toBe('number');
      }
    }
    expect(new Set(r.runs.map((x: { path: string }) => x.path))).toEqual(
      new Set(['direct', 'relay-signing', 'relay-pass-through', 'relay-signing-ecdsa-p256']),
    );
    // this machine's limits, estimated from the same run
    const est = r.estimatedBestOnThisMachine;
    for (const k of ['ecdsaP256SignCpuMs', 'threadPoolHandoffCpuMs', 'coresBusyOneWorkerSigning', 'twoWorkersVsOne'])
      expect(est[k], k).toBeGreaterThan(0);
    expect(est.rsa2048SignCpuMs.node).toBeGreaterThan(est.ecdsaP256SignCpuMs);
    for (const k of ['signingVsPassThroughWithRsa2048', 'signingVsPassThroughWithEcdsaP256'])
      for (const w of ['workers1', 'workers2']) expect(est[k][w], `${k} ${w}`).toBeGreaterThan(0);
    expect(typeof r.ecdsaP256SigningVsPassThrough10KBConc20.workers2).toBe('number');
    expect(typeof r.signingVsPassThrough10KBConc20.workers1).toBe('number');
    expect(typeof r.signingVsPassThrough10KBConc20.workers2).toBe('number');
    expect(typeof r.twoWorkersVsOne10KBConc20Signing).toBe('number');
    expect(typeof r.atHalfMaxThroughput.addedP99Ms).toBe('number');
    expect(r.bigMessage).toMatchObject({ accepted: true, received: 1 });
    expect(typeof r.bigMessage.addedRssPerMessageSize).toBe('number');
    expect(typeof r.peakWorkerRssMB).toBe('number');
    expect(Object.keys(r.targets).sort()).toEqual([
      'bigMessageAddsAtMost3xItsSize',
      'p99AddedAtHalfMaxAtMost50ms',
      'receivedEqualsSentInEveryRun',
      'signingAtLeast70PctOfPassThrough',
      'twoWorkersAtLeast1_7xOne',
    ]);
    for (const v of Object.values(r.targets)) expect(typeof v).toBe('boolean');
    // nothing the relay answered 250 for may be missing at the sink, even in a quick run
    expect(r.targets.receivedEqualsSentInEveryRun).toBe(true);
  });
});
