/**
 * A private, throw-away Postfix instance for tests: the relay must be proven against the real Postfix from Debian's
 * package, in the two places Postfix lets a filter sit. Each instance lives in its own temp dir (config, queue, data,
 * log), listens only on free 127.0.0.1 ports chosen at run time, never does DNS, relays everything to one sink port
 * and never touches /etc/postfix, the system queue or port 25. Two instances can run at once.
 *
 *   content-filter (after the queue, FILTER_README): smtpd :smtpPort -> queue -> lmtp -> filter :filterPort
 *                                                    -> smtpd :reinjectPort -> queue -> smtp -> sink
 *   proxy-filter (before the queue, SMTPD_PROXY_README): smtpd :smtpPort -> filter :filterPort (SMTP, in session)
 *                                                    -> smtpd :reinjectPort -> queue -> smtp -> sink
 *
 * The filter is the test's (later: the relay); the harness only points Postfix at its port.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export type PostfixTopology = 'content-filter' | 'proxy-filter';

export interface PostfixOptions {
  topology: PostfixTopology;
  /** where Postfix delivers everything it queues (relayhost = [127.0.0.1]:sinkPort), e.g. a startSmtpSink() */
  sinkPort: number;
  /** where the filter under test listens; a free port is picked when omitted, so the filter can bind it later */
  filterPort?: number;
  /** content-filter: maxproc of the lmtp transport to the filter (default 4) */
  filterMaxproc?: number;
  /** content-filter: smimefilter_destination_recipient_limit (default: Postfix's, 50) */
  filterRecipientLimit?: number;
  /** proxy-filter: smtpd_proxy_options, e.g. 'speed_adjust' (default none) */
  proxyOptions?: string;
  /** extra main.cf settings, written last so they win */
  mainCf?: Record<string, string>;
  /** extra "-o name=value" settings for the re-injection smtpd, written after the harness's own so they win */
  reinjectOptions?: string[];
  /** ms for start-up (postfix start plus the listeners answering); default 30 s */
  startTimeoutMs?: number;
}

export interface QueuedRecipient {
  address: string;
  /** why delivery was deferred, e.g. "host 127.0.0.1[127.0.0.1] said: 451 ..." */
  delayReason?: string;
}

export interface QueuedMessage {
  /** incoming, active, deferred, hold or maildrop */
  queueName: string;
  queueId: string;
  arrivalTime: number;
  messageSize: number;
  sender: string;
  recipients: QueuedRecipient[];
}

export interface PostfixInstance {
  readonly topology: PostfixTopology;
  /** the temp dir holding everything below */
  readonly dir: string;
  readonly configDir: string;
  readonly queueDir: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** the public smtpd the test sends to */
  readonly smtpPort: number;
  /** the after-filter smtpd the filter re-injects into */
  readonly reinjectPort: number;
  readonly filterPort: number;
  readonly sinkPort: number;
  /** the maillog so far ('' before the first line) */
  log(): string;
  /** resolves with the log once it matches; rejects after timeoutMs with the log's tail */
  waitForLog(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** `postqueue -j`, parsed */
  queue(): QueuedMessage[];
  /** resolves with the queue once it satisfies `ok`; rejects after timeoutMs */
  waitForQueue(ok: (q: QueuedMessage[]) => boolean, timeoutMs: number): Promise<QueuedMessage[]>;
  /** `postqueue -f`: retry all deferred mail now, whatever the backoff */
  flush(): void;
  /** stop (then abort, then kill) the instance and remove its dir; safe to call twice */
  stop(): Promise<void>;
}

const POSTFIX = '/usr/sbin/postfix';
const POSTQUEUE = '/usr/sbin/postqueue';
const POSTCONF = '/usr/sbin/postconf';
const CMD_TIMEOUT_MS = 20_000;

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Every Postfix command is bounded: a hung one fails the test instead of the whole run. */
function run(cmd: string, args: string[], timeoutMs = CMD_TIMEOUT_MS): RunResult {
  const r = spawnSync(cmd, args, { timeout: timeoutMs, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function versionAtLeast(v: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = v.split('.').map((n) => parseInt(n, 10));
  return a > major || (a === major && b >= minor);
}

let availability: string | null | undefined;

/**
 * Why a private Postfix cannot run here, or null when it can. Under CI (process.env.CI set) it throws instead:
 * CI must run these tests, never skip them silently.
 */
export function postfixUnavailable(): string | null {
  if (availability === undefined) availability = probe();
  if (availability && process.env.CI) {
    throw new Error(`private Postfix needed under CI but unavailable: ${availability} (see scripts/setup.sh)`);
  }
  return availability;
}

function probe(): string | null {
  if (process.platform !== 'linux') return `Postfix tests run on Linux only, not ${process.platform}`;
  // postfix start/stop, postqueue -c and the queue ownership all need root
  if (process.getuid?.() !== 0) return 'a private Postfix instance needs root';
  for (const bin of [POSTFIX, POSTQUEUE, POSTCONF])
    if (!existsSync(bin)) return `${bin} is missing (apt-get install postfix)`;
  const version = run(POSTCONF, ['-d', '-h', 'mail_version']).stdout.trim();
  // maillog_file/postlogd arrived in 3.4
  if (!versionAtLeast(version, 3, 4)) return `Postfix ${version} is too old (need >= 3.4 for maillog_file)`;
  if (run('id', ['-u', 'postfix']).code !== 0) return 'no "postfix" user';
  if (run('getent', ['group', 'postdrop']).code !== 0) return 'no "postdrop" group';
  return null;
}

/** A port free right now on 127.0.0.1 (the kernel's pick), never one handed out before in this process. */
const handedOut = new Set<number>();
async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const a = s.address();
        s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
      });
    });
    if (port && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port on 127.0.0.1');
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function poll<T>(
  what: string,
  timeoutMs: number,
  get: () => T | Promise<T>,
  ok: (v: T) => boolean,
  detail?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not reached after ${timeoutMs} ms${detail ? `\n${detail()}` : ''}`);
    }
    await sleep(100);
  }
}

interface Layout {
  id: string;
  dir: string;
  configDir: string;
  queueDir: string;
  dataDir: string;
  logFile: string;
  smtpPort: number;
  reinjectPort: number;
  filterPort: number;
}

/** main.cf: everything a test instance needs, nothing inherited from the system's main.cf. */
function mainCf(o: PostfixOptions, l: Layout): string {
  const s: Record<string, string> = {
    compatibility_level: '3.6',
    queue_directory: l.queueDir,
    data_directory: l.dataDir,
    // the default "pid", relative to the private queue dir; spelled out because two instances must not share it
    process_id_directory: 'pid',
    syslog_name: `postfix-harness-${l.id}`,
    // Postfix >= 3.4 logs through postlogd; the file must lie under one of maillog_file_prefixes
    maillog_file: l.logFile,
    maillog_file_prefixes: l.dir,
    mail_owner: 'postfix',
    setgid_group: 'postdrop',
    myhostname: 'postfix-harness.invalid',
    mydomain: 'invalid',
    myorigin: '$myhostname',
    mydestination: '',
    local_recipient_maps: '',
    local_transport: 'error:5.1.1 no local delivery in the test harness',
    alias_maps: '',
    alias_database: '',
    relay_domains: '',
    relayhost: `[127.0.0.1]:${o.sinkPort}`,
    inet_interfaces: '127.0.0.1',
    inet_protocols: 'ipv4',
    mynetworks: '127.0.0.0/8',
    smtpd_relay_restrictions: 'permit_mynetworks, reject',
    smtpd_recipient_restrictions: 'permit_mynetworks, reject',
    // no DNS anywhere: bracketed IP next hops, and no MX/A lookups even if something asks
    smtp_dns_support_level: 'disabled',
    lmtp_dns_support_level: 'disabled',
    smtp_host_lookup: 'native',
    lmtp_host_lookup: 'native',
    smtpd_peername_lookup: 'no',
    smtp_tls_security_level: 'none',
    lmtp_tls_security_level: 'none',
    smtpd_tls_security_level: 'none',
    smtputf8_enable: 'yes',
    // never turn 8-bit mail into quoted-printable: that would break signatures
    disable_mime_output_conversion: 'yes',
    // a deferred message comes back within seconds, not minutes
    queue_run_delay: '1s',
    minimal_backoff_time: '2s',
    maximal_backoff_time: '4s',
    transport_retry_time: '2s',
    maximal_queue_lifetime: '1h',
    bounce_queue_lifetime: '1h',
    delay_warning_time: '0h',
    smtp_connect_timeout: '5s',
    lmtp_connect_timeout: '5s',
    smtpd_proxy_timeout: '30s',
    smtpd_error_sleep_time: '0s',
    in_flow_delay: '0s',
    // postmaster notices would otherwise go to the sink and confuse message counts
    notify_classes: '',
    biff: 'no',
    smtpd_banner: '$myhostname ESMTP',
  };
  if (o.topology === 'content-filter') {
    // FILTER_README "advanced content filter": every message received by smtpd/pickup goes to the filter first
    s.content_filter = `smimefilter:[127.0.0.1]:${l.filterPort}`;
    s.receive_override_options = 'no_address_mappings';
    if (o.filterRecipientLimit !== undefined)
      s.smimefilter_destination_recipient_limit = String(o.filterRecipientLimit);
  }
  Object.assign(s, o.mainCf ?? {});
  return Object.entries(s)
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n')
    .concat('\n');
}

/** One master.cf service; chroot is always "n": a chroot would need copies of /etc files inside the temp queue. */
function service(
  name: string,
  type: string,
  priv: string,
  maxproc: string,
  command: string,
  o: string[] = [],
  wakeup = '-',
): string {
  const head = `${name.padEnd(16)} ${type.padEnd(10)} ${priv.padEnd(7)} -       n       ${wakeup.padEnd(7)} ${maxproc.padEnd(7)} ${command}`;
  return [head, ...o.map((x) => `  -o ${x}`)].join('\n');
}

/** master.cf: only the services a relay-only instance needs; listeners on 127.0.0.1 ports, never the "smtp" port. */
function masterCf(o: PostfixOptions, l: Layout): string {
  const log = `postfix-harness-${l.id}`;
  const maxproc = String(o.filterMaxproc ?? 4);
  const lines: string[] = ['# written by test/helpers/postfix.ts'];
  if (o.topology === 'content-filter') {
    lines.push(service(`127.0.0.1:${l.smtpPort}`, 'inet', 'n', '-', 'smtpd', [`syslog_name=${log}/public`]));
    lines.push(
      service('smimefilter', 'unix', '-', maxproc, 'lmtp', [
        `syslog_name=${log}/smimefilter`,
        'lmtp_send_xforward_command=yes',
        'disable_mime_output_conversion=yes',
        'lmtp_generic_maps=',
      ]),
    );
    lines.push(
      service(`127.0.0.1:${l.reinjectPort}`, 'inet', 'n', '-', 'smtpd', [
        `syslog_name=${log}/reinject`,
        'content_filter=',
        'receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters',
        'smtpd_helo_restrictions=',
        'smtpd_client_restrictions=',
        'smtpd_sender_restrictions=',
        'smtpd_relay_restrictions=',
        'smtpd_recipient_restrictions=permit_mynetworks,reject',
        'mynetworks=127.0.0.0/8',
        'smtpd_authorized_xforward_hosts=127.0.0.0/8',
        'disable_mime_output_conversion=yes',
        ...(o.reinjectOptions ?? []),
      ]),
    );
  } else {
    lines.push(
      service(`127.0.0.1:${l.smtpPort}`, 'inet', 'n', '20', 'smtpd', [
        `syslog_name=${log}/public`,
        `smtpd_proxy_filter=127.0.0.1:${l.filterPort}`,
        'smtpd_client_connection_count_limit=10',
        ...(o.proxyOptions ? [`smtpd_proxy_options=${o.proxyOptions}`] : []),
      ]),
    );
    lines.push(
      service(`127.0.0.1:${l.reinjectPort}`, 'inet', 'n', '-', 'smtpd', [
        `syslog_name=${log}/reinject`,
        'smtpd_authorized_xforward_hosts=127.0.0.0/8',
        'smtpd_client_restrictions=',
        'smtpd_helo_restrictions=',
        'smtpd_sender_restrictions=',
        'smtpd_relay_restrictions=',
        'smtpd_recipient_restrictions=permit_mynetworks,reject',
        'smtpd_data_restrictions=',
        'mynetworks=127.0.0.0/8',
        'receive_override_options=no_unknown_recipient_checks',
        'disable_mime_output_conversion=yes',
        ...(o.reinjectOptions ?? []),
      ]),
    );
  }
  lines.push(
    service('pickup', 'unix', 'n', '1', 'pickup', [], '60'),
    service('cleanup', 'unix', 'n', '0', 'cleanup'),
    service('qmgr', 'unix', 'n', '1', 'qmgr', [], '300'),
    service('rewrite', 'unix', '-', '-', 'trivial-rewrite'),
    service('bounce', 'unix', '-', '0', 'bounce'),
    service('defer', 'unix', '-', '0', 'bounce'),
    service('trace', 'unix', '-', '0', 'bounce'),
    service('verify', 'unix', '-', '1', 'verify'),
    service('flush', 'unix', 'n', '0', 'flush', [], '1000?'),
    service('proxymap', 'unix', '-', '-', 'proxymap'),
    service('proxywrite', 'unix', '-', '1', 'proxymap'),
    service('smtp', 'unix', '-', '-', 'smtp'),
    service('relay', 'unix', '-', '-', 'smtp'),
    service('showq', 'unix', 'n', '-', 'showq'),
    service('error', 'unix', '-', '-', 'error'),
    service('retry', 'unix', '-', '-', 'error'),
    service('discard', 'unix', '-', '-', 'discard'),
    service('lmtp', 'unix', '-', '-', 'lmtp'),
    service('anvil', 'unix', '-', '1', 'anvil'),
    service('scache', 'unix', '-', '1', 'scache'),
    // required once maillog_file is set; postfix start refuses to run without it
    service('postlog', 'unix-dgram', 'n', '1', 'postlogd'),
  );
  return lines.join('\n') + '\n';
}

function postfixIds(): { uid: number; gid: number } {
  const uid = parseInt(run('id', ['-u', 'postfix']).stdout, 10);
  const gid = parseInt(run('id', ['-g', 'postfix']).stdout, 10);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('cannot resolve the postfix user');
  return { uid, gid };
}

const live = new Set<Layout>();

/** Last resort when a test run dies without stop(): no master may outlive the test process. */
function killSync(l: Pick<Layout, 'configDir' | 'queueDir'>): void {
  run(POSTFIX, ['-c', l.configDir, 'abort'], 5000);
  try {
    const pid = parseInt(readFileSync(join(l.queueDir, 'pid', 'master.pid'), 'utf8'), 10);
    if (pid > 1) process.kill(-pid, 'SIGKILL');
  } catch {
    // no pid file or no such process: nothing left to kill
  }
}

let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const l of live) {
      try {
        killSync(l);
        rmSync(l.dir, { recursive: true, force: true });
      } catch {
        // exiting anyway
      }
    }
  });
}

const OWNER_FILE = 'owner.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let reaped = false;
/**
 * A test process killed hard (SIGKILL, a CI timeout) cannot stop its instances; the next run does: every
 * smime-postfix-* dir whose owner process is gone gets its master killed and is removed.
 */
function reapOrphans(): void {
  if (reaped) return;
  reaped = true;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('smime-postfix-')) continue;
    const dir = join(tmpdir(), name);
    let owner: number;
    try {
      owner = parseInt(readFileSync(join(dir, OWNER_FILE), 'utf8'), 10);
    } catch {
      continue;
    }
    if (!Number.isInteger(owner) || alive(owner)) continue;
    killSync({ configDir: join(dir, 'etc'), queueDir: join(dir, 'queue') });
    rmSync(dir, { recursive: true, force: true });
  }
}

function running(l: Layout): boolean {
  return run(POSTFIX, ['-c', l.configDir, 'status'], 5000).code === 0;
}

function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

function readLog(l: Layout): string {
  try {
    return readFileSync(l.logFile, 'utf8');
  } catch {
    return '';
  }
}

async function layout(o: PostfixOptions): Promise<Layout> {
  const dir = mkdtempSync(join(tmpdir(), 'smime-postfix-'));
  // mkdtemp makes it 0700; Postfix daemons run as "postfix" and must traverse it to reach the queue
  chmodSync(dir, 0o755);
  const l: Layout = {
    id: basename(dir).replace(/^smime-postfix-/, ''),
    dir,
    configDir: join(dir, 'etc'),
    queueDir: join(dir, 'queue'),
    dataDir: join(dir, 'data'),
    logFile: join(dir, 'maillog'),
    smtpPort: await freePort(),
    reinjectPort: await freePort(),
    filterPort: o.filterPort ?? (await freePort()),
  };
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  mkdirSync(l.configDir, { mode: 0o755 });
  // the queue's top dir is root's; postfix start ("post-install create-missing") makes its subdirs with the
  // right owners (postfix, group postdrop for public/ and maildrop/)
  mkdirSync(l.queueDir, { mode: 0o755 });
  mkdirSync(l.dataDir, { mode: 0o700 });
  const { uid, gid } = postfixIds();
  chownSync(l.dataDir, uid, gid);
  // Postfix re-reads a config file until its mtime is a few seconds old (a guard against half-written files): every
  // postfix/postconf call on a fresh main.cf would sleep ~2 s. Back-date the files we write in one go.
  const past = new Date(Date.now() - 60_000);
  for (const [name, text] of [
    ['main.cf', mainCf(o, l)],
    ['master.cf', masterCf(o, l)],
  ] as const) {
    writeFileSync(join(l.configDir, name), text, { mode: 0o644 });
    utimesSync(join(l.configDir, name), past, past);
  }
  return l;
}

/**
 * Starts a private Postfix. Throws when Postfix cannot run here (call postfixUnavailable() first to skip instead),
 * or when it does not come up in time, with the instance's log in the message.
 */
export async function startPostfix(o: PostfixOptions): Promise<PostfixInstance> {
  const why = postfixUnavailable();
  if (why) throw new Error(`private Postfix unavailable: ${why}`);
  installExitHook();
  reapOrphans();
  const timeoutMs = o.startTimeoutMs ?? 30_000;
  let lastError = '';
  // a port picked free can be taken by someone else before master binds it: try again with new ports
  for (let attempt = 0; attempt < 3; attempt++) {
    const l = await layout(o);
    live.add(l);
    const r = run(POSTFIX, ['-c', l.configDir, 'start'], timeoutMs);
    if (r.code === 0) {
      try {
        await poll(
          'Postfix listeners',
          timeoutMs,
          async () => (await canConnect(l.smtpPort)) && (await canConnect(l.reinjectPort)),
          (ok) => ok,
          () => tail(readLog(l)),
        );
        return instance(o, l);
      } catch (e) {
        lastError = (e as Error).message;
      }
    } else {
      lastError = `postfix start exited ${r.code}: ${r.stderr}\n${tail(readLog(l))}`;
    }
    const inUse = /address already in use/i.test(readLog(l));
    await destroy(l);
    if (!inUse) break;
  }
  throw new Error(`private Postfix did not start: ${lastError}`);
}

async function destroy(l: Layout): Promise<void> {
  if (existsSync(join(l.queueDir, 'pid', 'master.pid')) && running(l)) {
    // "postfix stop" waits up to 5 s for master, then kills its process group
    run(POSTFIX, ['-c', l.configDir, 'stop'], 15_000);
    if (running(l)) killSync(l);
    await poll(
      'Postfix stop',
      10_000,
      () => running(l),
      (r) => !r,
    ).catch(() => killSync(l));
  }
  live.delete(l);
  rmSync(l.dir, { recursive: true, force: true });
}

interface PostqueueJson {
  queue_name: string;
  queue_id: string;
  arrival_time: number;
  message_size: number;
  sender: string;
  recipients: { address: string; delay_reason?: string }[];
}

function instance(o: PostfixOptions, l: Layout): PostfixInstance {
  let stopped = false;
  const queue = (): QueuedMessage[] => {
    const r = run(POSTQUEUE, ['-c', l.configDir, '-j']);
    if (r.code !== 0) throw new Error(`postqueue -j exited ${r.code}: ${r.stderr}`);
    return r.stdout
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => {
        const j = JSON.parse(line) as PostqueueJson;
        return {
          queueName: j.queue_name,
          queueId: j.queue_id,
          arrivalTime: j.arrival_time,
          messageSize: j.message_size,
          sender: j.sender,
          recipients: j.recipients.map((x) => ({ address: x.address, delayReason: x.delay_reason })),
        };
      });
  };
  return {
    topology: o.topology,
    dir: l.dir,
    configDir: l.configDir,
    queueDir: l.queueDir,
    dataDir: l.dataDir,
    logFile: l.logFile,
    smtpPort: l.smtpPort,
    reinjectPort: l.reinjectPort,
    filterPort: l.filterPort,
    sinkPort: o.sinkPort,
    log: () => readLog(l),
    waitForLog: (pattern, timeoutMs) =>
      poll(
        `log matching ${pattern}`,
        timeoutMs,
        () => readLog(l),
        (t) => pattern.test(t),
        () => tail(readLog(l)),
      ),
    queue,
    waitForQueue: (ok, timeoutMs) =>
      poll('queue condition', timeoutMs, queue, ok, () => `${JSON.stringify(queue())}\n${tail(readLog(l))}`),
    flush() {
      const r = run(POSTQUEUE, ['-c', l.configDir, '-f']);
      if (r.code !== 0) throw new Error(`postqueue -f exited ${r.code}: ${r.stderr}`);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await destroy(l);
    },
  };
}
