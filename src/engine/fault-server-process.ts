import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Toxiproxy } from 'toxiproxy-node-client';
import { HarnessError } from '../errors.js';
import { isLoopbackUrl } from '../net/loopback.js';
import { openFileLimit } from '../net/open-files.js';

export interface FaultServerHandle {
  url: string;
  /** True when this run started the server (and so stops it). */
  embedded: boolean;
  stop(): Promise<void>;
}

const cliEntry = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/**
 * The embedded fault server runs in its own process: it gets its own event loop (the
 * main thread never carries client traffic) and its own open-file budget (two
 * descriptors per proxied client).
 */
export async function startEmbeddedFaultServer(allowRemoteUpstreams = false): Promise<FaultServerHandle> {
  // Its API stays on loopback either way; --allow-remote lets its proxies forward to a broker beyond it.
  const child = fork(cliEntry, ['toxiproxy', '--host', '127.0.0.1', '--port', '0', ...(allowRemoteUpstreams ? ['--allow-remote'] : [])], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    execArgv: [],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error('did not start within 10 s')), 10_000);
    child.stderr?.on('data', (data: Buffer) => (err += data.toString()));
    child.stdout?.on('data', (data: Buffer) => {
      out += data.toString();
      const found = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}: ${err.trim().split('\n').at(-1) ?? ''}`));
    });
  }).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new HarnessError('E_ENVIRONMENT', `embedded fault server: ${err.message}`);
  });
  return { url, embedded: true, stop: () => stopChild(child) };
}

/** Descriptors a fault server keeps for itself (API, stdio, listeners) besides its clients. */
const reservedDescriptors = 200;

/**
 * Enough embedded fault servers for `clients` proxied clients: each client costs a server
 * two descriptors, and a process has `ulimit -n` of them (not raised here: it takes
 * CAP_SYS_RESOURCE to go past the hard limit).
 */
export async function startEmbeddedFaultServers(clients: number, log: (line: string) => void, allowRemoteUpstreams = false): Promise<FaultServerHandle[]> {
  const perServer = Math.max(1, Math.floor((openFileLimit() - reservedDescriptors) / 2));
  const count = Math.max(1, Math.ceil(clients / perServer));
  if (count > 1) log(`${clients} proxied clients: ${count} fault server processes (open-file limit ${openFileLimit()}, 2 per client)`);
  const servers: FaultServerHandle[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await startEmbeddedFaultServer(allowRemoteUpstreams));
  } catch (err) {
    await Promise.all(servers.map((s) => s.stop()));
    throw err;
  }
  return servers;
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A Toxiproxy the user runs: checked for reachability, never stopped by us. */
export async function connectToxiproxy(url: string, allowRemote: boolean): Promise<FaultServerHandle> {
  if (!URL.canParse(url)) throw new HarnessError('E_USAGE', `--toxiproxy ${url}: not a URL (expected e.g. http://127.0.0.1:8474)`);
  // Loading the scenario refused it already, naming the field; this guards other callers.
  if (!allowRemote && !isLoopbackUrl(url)) {
    throw new HarnessError(
      'E_REMOTE_TARGET',
      `fault server ${url} is outside loopback: pass --allow-remote (or allowRemote: true) to use it`,
    );
  }
  try {
    await new Toxiproxy(url).getVersion();
  } catch (err) {
    throw new HarnessError('E_ENVIRONMENT', `fault server ${url} not reachable: ${(err as Error).message}`);
  }
  return { url, embedded: false, stop: async () => {} };
}
