/**
 * File access with the guarantees users rely on: a clear one-line reason when a file
 * cannot be read, size limits, and atomic writes so a failure never leaves half a file.
 */
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { SmimeError } from './errors';

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EEXIST') return 'it already exists';
  if (code === 'ENOTDIR') return 'a part of the path is not a folder';
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EROFS') return 'the file system is read-only';
  return (e as Error).message;
}

function tooLarge(what: string, max: number): SmimeError {
  return new SmimeError('FILE_TOO_LARGE', `${what} is larger than the ${Math.round(max / 1024)} KiB allowed`);
}

/** Reads from a descriptor in chunks and stops as soon as more than `max` bytes came: a pipe or device cannot make it read more. */
function readCapped(fd: number, max: number, what: string): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const chunk = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((e as NodeJS.ErrnoException).code === 'EOF') break;
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > max) throw tooLarge(what, max);
    chunks.push(Buffer.from(chunk.subarray(0, n)));
  }
  return Buffer.concat(chunks, total);
}

/**
 * Reads a whole file ('-' is standard input), refusing more than `max` bytes. The limit holds
 * for every kind of file: regular files are checked by size first, pipes, FIFOs, devices
 * (/dev/zero, /dev/urandom) and standard input are read in chunks and stopped at the limit.
 */
export function readInputFile(path: string, max: number, what = path): Buffer {
  let fd: number | undefined;
  try {
    if (path === '-') return readCapped(0, max, what);
    const st = statSync(path);
    if (st.isDirectory()) throw new SmimeError('FILE_UNREADABLE', `cannot read ${what}: it is a directory`);
    if (st.isFile() && st.size > max) {
      throw new SmimeError(
        'FILE_TOO_LARGE',
        `${what} is ${Math.round(st.size / 1024)} KiB, more than the ${Math.round(max / 1024)} KiB allowed`,
      );
    }
    fd = openSync(path, 'r');
    return readCapped(fd, max, what);
  } catch (e) {
    if (e instanceof SmimeError) throw e;
    throw new SmimeError('FILE_UNREADABLE', `cannot read ${what}: ${reason(e)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `data` to `path` through a temporary file in the same folder and a rename,
 * so readers see either the old file or the whole new one. '-' writes to standard output.
 */
export function writeFileAtomic(
  path: string,
  data: Buffer | string,
  mode = 0o644,
  opts: { overwrite?: boolean } = { overwrite: true },
): void {
  if (path === '-') {
    writeSync(1, typeof data === 'string' ? Buffer.from(data) : data);
    return;
  }
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode);
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    if (opts.overwrite === false) {
      // no-clobber: a hard link fails when the name exists, so nothing is ever written over silently
      linkSync(tmp, path);
      rmSync(tmp, { force: true });
    } else renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw new SmimeError('OUTPUT_UNWRITABLE', `cannot write ${path}: ${reason(e)}`);
  }
}

/**
 * A file's identity and last change (inode, size, modification and status-change times): equal
 * values mean the same, unchanged file; a rename over it changes it.
 */
export function statIdentity(st: Stats): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** statIdentity of the file at `path`, or null when it cannot be read. */
export function fileIdentity(path: string): string | null {
  try {
    return statIdentity(statSync(path));
  } catch {
    return null;
  }
}

/** The files a data folder's state is in; the lock and journal files are not part of it. */
export const DATA_STATE_FILES = ['config.json', 'certs', 'audit.log'] as const;

/** One string that changes whenever a data folder's state files change (their identities, '-' when missing). */
export function dataFolderState(dataDir: string): string {
  return DATA_STATE_FILES.map((n) => fileIdentity(join(dataDir, n)) ?? '-').join('|');
}
