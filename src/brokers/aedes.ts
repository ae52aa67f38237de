import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HarnessError } from '../errors.js';
import type { AedesReady } from './aedes-child.js';
import { probeBroker } from './capabilities.js';
import { lastMeaningfulLine, logSize, readLogSince } from './log-tail.js';
import { stopProcess } from './process-control.js';
import { targetJson } from './target-json.js';
import type { BrokerTarget } from './types.js';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;
const PROBE_TIMEOUT_MS = 2_000;
const CHILD_ENTRY = fileURLToPath(new URL('./aedes-child.js', import.meta.url));

/** Forks the embedded Aedes broker on a free loopback port; its output goes to runDir/aedes.log. */
export async function startAedes({ runDir }: { runDir: string }): Promise<BrokerTarget> {
  await mkdir(runDir, { recursive: true });
  const logFile = join(runDir, 'aedes.log');
  const logStart = await logSize(logFile);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    // execArgv: [] so flags of the harness's own Node (--inspect, test runner) stay out.
    child = fork(CHILD_ENTRY, [], { stdio: ['ignore', fd, fd, 'ipc'], execArgv: [] });
  } finally {
    closeSync(fd);
  }
  let ready: AedesReady;
  try {
    ready = await waitForReady(child);
  } catch (err) {
    await stopProcess(child);
    const reason = lastMeaningfulLine(await readLogSince(logFile, logStart));
    const why = err instanceof Error ? err.message : String(err);
    throw new HarnessError('E_ENVIRONMENT', `embedded Aedes did not start: ${reason ?? why} (log: ${logFile})`);
  }
  const probe = await probeBroker({ protocol: 'mqtt', host: HOST, port: ready.port }, PROBE_TIMEOUT_MS);
  if (!probe.reachable) {
    await stopProcess(child);
    throw new HarnessError('E_ENVIRONMENT', `embedded Aedes on ${HOST}:${ready.port} not reachable: ${probe.reason}`);
  }
  let stopping: Promise<void> | undefined;
  const target: BrokerTarget = {
    kind: 'embedded-aedes',
    software: 'aedes',
    host: HOST,
    port: ready.port,
    url: `mqtt://${HOST}:${ready.port}`,
    protocols: probe.protocols,
    version: ready.version,
    pid: child.pid,
    logFile,
    description: `embedded Aedes ${ready.version} on ${HOST}:${ready.port} (pid ${child.pid}; MQTT 3.1.1 only)`,
    stop: () => (stopping ??= stopProcess(child)),
  };
  return Object.assign(target, { toJSON: () => targetJson(target) });
}

function waitForReady(child: ChildProcess): Promise<AedesReady> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`no port reported within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`exited with ${code ?? signal} before listening`)));
    child.on('message', (message: AedesReady) => {
      if (message.type !== 'listening') return;
      clearTimeout(timer);
      resolve(message);
    });
  });
}
