import { readFile } from 'node:fs/promises';
import { HarnessError } from '../errors.js';
import { SCHEMA_VERSION, type Result } from '../result/result.js';

/**
 * A stored result.json, read back for `report` and `compare`. Anything that is not a
 * result this version can read is one line naming the file (exit 2), never a stack trace:
 * a missing file, text that is not JSON, JSON that is not a result, another schemaVersion.
 */
export async function readResultFile(file: string): Promise<Result> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a result.json' : (err as Error).message;
    throw new HarnessError('E_USAGE', `${file}: cannot read: ${why}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the text around the error: keep it to one line.
    const why = (err as Error).message.replace(/\s+/g, ' ').slice(0, 160);
    throw new HarnessError('E_USAGE', `${file}: not JSON (${why})`);
  }
  return checkResult(file, data);
}

export function checkResult(file: string, data: unknown): Result {
  const notResult = (why: string): HarnessError => new HarnessError('E_USAGE', `${file}: not an mqtt-chaos result.json (${why})`);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw notResult('not a JSON object');
  const record = data as Record<string, unknown>;
  if (!('schemaVersion' in record)) throw notResult('no schemaVersion');
  const version = record.schemaVersion;
  if (version !== SCHEMA_VERSION) {
    const tool = record.tool as { version?: unknown } | undefined;
    const writer = typeof tool?.version === 'string' ? `, written by mqtt-chaos ${tool.version}` : '';
    throw new HarnessError(
      'E_USAGE',
      `${file}: result schemaVersion ${JSON.stringify(version)}${writer}; this mqtt-chaos reads schemaVersion ${SCHEMA_VERSION}: use a result written by a matching version, or re-run the scenario`,
    );
  }
  if (!Array.isArray(record.runs)) throw notResult('no runs');
  if (typeof record.scenario !== 'object' || record.scenario === null) throw notResult('no scenario');
  return data as Result;
}
