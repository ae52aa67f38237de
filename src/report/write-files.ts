import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Writes via a temporary file beside it, flushed to disk, then a rename: a reader (or a
 * run killed mid-write) sees the old file or the new one, never half of one. On failure
 * the temporary file is removed and the old file left as it was.
 */
export async function writeAtomic(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** Writes each named file into `dir` (created if missing); returns their paths. */
export async function writeReportFiles(dir: string, files: Record<string, string>): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    await writeAtomic(path, content);
    written.push(path);
  }
  return written;
}
