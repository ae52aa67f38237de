import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HarnessError } from '../errors.js';
import { probeBroker, readMosquittoVersion } from './capabilities.js';
import { freeLoopbackPort } from './free-port.js';
import { lastMeaningfulLine, logSize, readLogSince } from './log-tail.js';
import { renderMosquittoConfig, validateMosquittoOptions } from './mosquitto-config.js';
import { waitUntilAnswering, type Endpoint } from './probe.js';
import { hasExited, stopProcess } from './process-control.js';
import { targetJson } from './target-json.js';
import type { BrokerTarget, MosquittoOptions, ProtocolVersion } from './types.js';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;
const PROBE_TIMEOUT_MS = 2_000;
/** Tries when another process takes the free port between our probe and Mosquitto's bind. */
const PORT_ATTEMPTS = 3;

export interface MosquittoStartOptions {
  binary: string;
  runDir: string;
  options: MosquittoOptions;
  log?: (line: string) => void;
  /** Loopback listeners to open (default 1); `ports` lists them. */
  listeners?: number;
}

interface Launch {
  binary: string;
  configFile: string;
  logFile: string;
  port: number;
  extraPorts: number[];
}

/** A Mosquitto process the harness started, configured and will stop. */
export class ManagedMosquitto implements BrokerTarget {
  readonly kind = 'managed-mosquitto' as const;
  readonly software = 'mosquitto' as const;
  readonly host = HOST;
  readonly port: number;
  readonly ports: readonly number[];
  readonly url: string;
  readonly version: string;
  readonly protocols: readonly ProtocolVersion[];
  readonly logFile: string;
  readonly configFile: string;
  #launch: Launch;
  #child: ChildProcess;
  #stopped = false;
  #stopping: Promise<void> | undefined;
  #restarting: Promise<void> | undefined;
  /** Set while the harness itself ends the process (kill(), restart()): that exit is expected. */
  #expectingExit = false;
  readonly #exitListeners = new Set<(status: string) => void>();

  /** Why an anonymous CONNECT was refused at start (its options ask for a login); absent when one was accepted. */
  readonly anonymousRefusal: string | undefined;

  constructor(launch: Launch, child: ChildProcess, version: string, protocols: readonly ProtocolVersion[], anonymousRefusal?: string) {
    this.anonymousRefusal = anonymousRefusal;
    this.#launch = launch;
    this.#child = child;
    this.#watch(child);
    this.port = launch.port;
    this.ports = [launch.port, ...launch.extraPorts];
    this.url = `mqtt://${HOST}:${launch.port}`;
    this.version = version;
    this.protocols = protocols;
    this.logFile = launch.logFile;
    this.configFile = launch.configFile;
  }

  /** The current process; a restart changes it. */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  get description(): string {
    return `managed Mosquitto ${this.version} on ${HOST}:${this.port} (pid ${this.pid})`;
  }

  /** SIGTERM, SIGKILL after 5 s; safe to call twice, after kill(), or during restart(). */
  stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping ??= (async () => {
      await this.#restarting?.catch(() => {});
      await stopProcess(this.#child);
    })();
    return this.#stopping;
  }

  /** kill -9: the broker dies as in a crash, saving nothing; clients see their sockets reset. */
  kill(): Promise<void> {
    this.#expectingExit = true;
    return stopProcess(this.#child, { signal: 'SIGKILL' });
  }

  /** Starts it again on the same port and config (stopping it first if it still runs). */
  async restart(): Promise<void> {
    if (this.#stopped) throw new Error('restart() after stop()');
    this.#expectingExit = true;
    this.#restarting = (async () => {
      await stopProcess(this.#child);
      // Swapped in before stop() (which waits for this) looks at #child.
      this.#child = await launch(this.#launch);
      this.#expectingExit = false;
      this.#watch(this.#child);
    })();
    await this.#restarting;
  }

  /**
   * Calls `listener` with the exit status ("SIGKILL", "exit code 1") when the process ends
   * without the harness asking (a crash, an OOM kill, someone's kill -9). Returns an unsubscribe.
   */
  onUnexpectedExit(listener: (status: string) => void): () => void {
    this.#exitListeners.add(listener);
    return () => this.#exitListeners.delete(listener);
  }

  #watch(child: ChildProcess): void {
    child.once('exit', (code, signal) => {
      if (this.#stopped || this.#expectingExit || child !== this.#child) return;
      const status = signal ?? `exit code ${code}`;
      for (const listener of [...this.#exitListeners]) listener(status);
    });
  }

  toJSON(): object {
    return targetJson(this);
  }
}

export async function startMosquitto({ binary, runDir, options, log, listeners = 1 }: MosquittoStartOptions): Promise<ManagedMosquitto> {
  validateMosquittoOptions(options);
  await mkdir(runDir, { recursive: true });
  const version = await readMosquittoVersion(binary);
  const configFile = join(runDir, 'mosquitto.conf');
  const logFile = join(runDir, 'mosquitto.log');
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    const extraPorts: number[] = [];
    for (let tries = 0; extraPorts.length < listeners - 1 && tries < 3 * listeners; tries++) {
      const extra = await freeLoopbackPort();
      if (extra !== port && !extraPorts.includes(extra)) extraPorts.push(extra);
    }
    await writeFile(configFile, renderMosquittoConfig({ port, extraPorts, runDir, options }));
    const spec: Launch = { binary, configFile, logFile, port, extraPorts };
    let child: ChildProcess;
    try {
      child = await launch(spec);
    } catch (err) {
      const raced = err instanceof HarnessError && err.message.includes('Address already in use');
      if (raced && attempt < PORT_ATTEMPTS) continue;
      throw err;
    }
    const probe = await probeBroker({ protocol: 'mqtt', host: HOST, port }, PROBE_TIMEOUT_MS);
    // Another broker that grabbed the port would have answered for ours, which then died.
    if (hasExited(child) && attempt < PORT_ATTEMPTS) continue;
    if (!probe.reachable || hasExited(child)) {
      await stopProcess(child);
      const why = probe.reachable ? 'its process exited' : probe.reason;
      throw new HarnessError('E_ENVIRONMENT', `managed Mosquitto on ${HOST}:${port} stopped right after starting: ${why} (log: ${logFile})`);
    }
    if (probe.refusal) {
      log?.(`managed Mosquitto refuses an anonymous client (${probe.refusal}): the scenario's options decide who may connect`);
    }
    return new ManagedMosquitto(spec, child, version, probe.protocols, probe.refusal);
  }
}

/**
 * Spawns Mosquitto with its stdout and stderr appended to the log file, and resolves once
 * it answers an MQTT CONNECT. If it exits first, the error quotes the log's reason.
 */
async function launch({ binary, configFile, logFile, port }: Launch): Promise<ChildProcess> {
  const logStart = await logSize(logFile);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(binary, ['-c', configFile], { stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd);
  }
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const endpoint: Endpoint = { protocol: 'mqtt', host: HOST, port };
  const outcome = await waitUntilAnswering(endpoint, READY_TIMEOUT_MS, () => hasExited(child) || spawnError !== undefined);
  if (outcome.ok || outcome.answered) return child;
  if (spawnError) {
    throw new HarnessError('E_ENVIRONMENT', `cannot start ${binary}: ${spawnError.message}`);
  }
  if (hasExited(child)) {
    const reason = lastMeaningfulLine(await readLogSince(logFile, logStart)) ?? 'no log output';
    const status = child.exitCode ?? child.signalCode;
    throw new HarnessError('E_ENVIRONMENT', `mosquitto exited at start (status ${status}): ${reason} (log: ${logFile})`);
  }
  await stopProcess(child);
  throw new HarnessError(
    'E_ENVIRONMENT',
    `mosquitto on ${HOST}:${port} did not answer an MQTT CONNECT within ${READY_TIMEOUT_MS / 1000} s: ${outcome.message} (log: ${logFile})`,
  );
}
