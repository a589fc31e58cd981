/**
 * File access with the guarantees users rely on: a clear one-line reason when a file
 * cannot be read, size limits, and atomic writes so a failure never leaves half a file.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { SmimeError } from './errors';

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (e as Error).message;
}

/** Reads a whole file ('-' is standard input), refusing files over `max` bytes. */
export function readInputFile(path: string, max: number, what = path): Buffer {
  try {
    if (path === '-') {
      const data = readFileSync(0);
      if (data.length > max)
        throw new SmimeError('FILE_TOO_LARGE', `${what} is larger than ${Math.round(max / 1024)} KiB`);
      return data;
    }
    const st = statSync(path);
    if (st.isDirectory()) throw new SmimeError('FILE_UNREADABLE', `cannot read ${what}: it is a directory`);
    if (st.size > max)
      throw new SmimeError(
        'FILE_TOO_LARGE',
        `${what} is ${Math.round(st.size / 1024)} KiB, more than the ${Math.round(max / 1024)} KiB allowed`,
      );
    return readFileSync(path);
  } catch (e) {
    if (e instanceof SmimeError) throw e;
    throw new SmimeError('FILE_UNREADABLE', `cannot read ${what}: ${reason(e)}`);
  }
}

/**
 * Writes `data` to `path` through a temporary file in the same folder and a rename,
 * so readers see either the old file or the whole new one. '-' writes to standard output.
 */
export function writeFileAtomic(path: string, data: Buffer | string, mode = 0o644): void {
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
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw new SmimeError('OUTPUT_UNWRITABLE', `cannot write ${path}: ${reason(e)}`);
  }
}
