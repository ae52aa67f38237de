import { findMosquittoBinary } from '../brokers/capabilities.js';
import { chooseAutoBroker } from '../brokers/start-broker.js';
import type { BrokerSpec } from '../brokers/types.js';
import { HarnessError } from '../errors.js';
import type { Plan } from '../scenario/plan.js';
import { formatDeadline, scenarioDeadlineMs } from './deadline.js';
import { executeRun } from './execute-run.js';
import { newInvocation } from '../workers/invocation.js';
import { connectToxiproxy, startEmbeddedFaultServers, type FaultServerHandle } from './fault-server-process.js';
import { outOfFilesLine } from '../net/open-files.js';
import { preflightOpenFiles } from './open-files-preflight.js';
import type { RunRecord } from './run-record.js';
import { bringUpAgents, type Agents, type AgentsRequest } from './agents-setup.js';
import { emitSafely, phaseEstimateMs, runEstimateMs, type ProgressEvent, type ProgressListener } from './run-progress.js';

export interface ScenarioRunOptions {
  /** Where this invocation writes (broker configs and logs, per run). */
  runDir: string;
  /** Aborting it stops the invocation (Ctrl-C); the scenario's deadline stops it too. */
  signal: AbortSignal;
  log: (line: string) => void;
  /** Progress events for a renderer (run-start/-end, phases, clients' counters); optional. */
  onProgress?: ProgressListener;
  /** The invocation's nonce (one per `mqtt-chaos run`, shared by its scenarios); absent: a new one. */
  invocation?: number;
  /** Leave the runs' sessions on a broker that outlives them (`--keep-sessions`). */
  keepSessions?: boolean;
  /** Run the clients in agent processes (`--agents N`, or `--listen … --expect-agents N`). */
  agents?: AgentsRequest;
  /** Told the PIDs of the local agent processes once they have joined (tests watch them). */
  onAgents?: (pids: readonly number[]) => void;
}

export interface ScenarioOutcome {
  records: RunRecord[];
  /** Set when the invocation stopped before every run had its turn. */
  error?: unknown;
}

/** `auto` becomes one concrete broker for every run, said once. */
async function resolveBroker(spec: BrokerSpec, log: (line: string) => void): Promise<BrokerSpec> {
  if (spec.kind !== 'auto') return spec;
  const choice = chooseAutoBroker(await findMosquittoBinary());
  log(choice.message);
  return choice.kind === 'managed-mosquitto' ? { kind: 'managed-mosquitto', options: {} } : { kind: 'embedded-aedes' };
}

function largestProxiedPopulation(plan: Plan): number {
  const proxied = plan.runs.map((run) => run.groups.filter((g) => g.via === 'proxy').reduce((n, g) => n + g.count, 0));
  return Math.max(0, ...proxied);
}

/** Where the invocation is, from its progress events: what a deadline names. */
class Whereabouts {
  #run: string | undefined;
  #phase: { number: number; label: string; running: boolean } | undefined;
  constructor(private readonly runs: number) {}

  note(event: ProgressEvent): void {
    if (event.type === 'run-start') {
      this.#run = event.run;
      this.#phase = undefined;
    } else if (event.type === 'phase-start') this.#phase = { number: event.phase + 1, label: event.label, running: true };
    else if (event.type === 'phase-end' && this.#phase) this.#phase.running = false;
  }

  describe(): string {
    const ofRun = this.runs > 1 ? ` of run ${this.#run}` : '';
    if (this.#phase) return `${this.#phase.running ? 'during' : 'after'} phase ${this.#phase.number} (${this.#phase.label})${ofRun}`;
    return this.#run === undefined ? 'before the first run started' : `while run ${this.#run} was starting`;
  }
}

/**
 * Runs every run of the plan in order against a fault server started (or reached) once.
 * Never throws: an error ends the invocation early but what was measured is returned.
 */
export async function runScenario(plan: Plan, options: ScenarioRunOptions): Promise<ScenarioOutcome> {
  const { log } = options;
  const records: RunRecord[] = [];
  let faultServers: FaultServerHandle[] = [];
  let agents: Agents | undefined;
  // The deadline stops the scenario as Ctrl-C does (the same cleanup), with its own reason.
  const where = new Whereabouts(plan.runs.length);
  const onProgress: ProgressListener = (event) => {
    where.note(event);
    emitSafely(options.onProgress, event);
  };
  const deadlineMs = scenarioDeadlineMs(plan);
  const atDeadline = new AbortController();
  const timer = setTimeout(() => {
    atDeadline.abort(new HarnessError('E_ENVIRONMENT', `deadline ${formatDeadline(deadlineMs)} reached ${where.describe()}`));
  }, deadlineMs);
  const signal = AbortSignal.any([options.signal, atDeadline.signal]);
  const invocation = options.invocation ?? newInvocation();
  try {
    // With agents, they hold the clients' sockets: each checks its own share (agent.ts).
    if (!options.agents) preflightOpenFiles(plan);
    const broker = await resolveBroker(plan.broker, log);
    faultServers =
      plan.faults.kind === 'embedded' && options.agents
        ? [] // each agent runs its own (agent-fault-server.ts)
        : plan.faults.kind === 'embedded'
        ? await startEmbeddedFaultServers(largestProxiedPopulation(plan), log)
        : [await connectToxiproxy(plan.faults.url, plan.allowRemote)];
    if (options.agents) {
      agents = await bringUpAgents(options.agents, log, signal);
      options.onAgents?.(agents.pids);
    }
    for (const [index, run] of plan.runs.entries()) {
      if (signal.aborted) throw signal.reason;
      log(`run ${run.id}: ${run.label} (MQTT ${run.protocol})`);
      const clients = run.groups.reduce((n, g) => n + g.count, 0);
      const begun = performance.now();
      emitSafely(onProgress, { type: 'run-start', run: run.id, label: run.label, protocol: run.protocol, index, runs: plan.runs.length, phases: run.phases.length, clients, estimateMs: runEstimateMs(run), phaseEstimatesMs: run.phases.map((p) => phaseEstimateMs(p, run)) });
      const record = await executeRun({
        plan,
        run,
        broker,
        faultServerUrls: faultServers.map((s) => s.url),
        runDir: options.runDir,
        signal,
        log,
        onProgress,
        invocation,
        keepSessions: options.keepSessions ?? false,
        ...(agents ? { fleet: agents.fleet } : {}),
      });
      records.push(record);
      emitSafely(onProgress, {
        type: 'run-end',
        run: run.id,
        tookMs: Math.round(performance.now() - begun),
        ...(record.incomplete !== undefined ? { incomplete: record.incomplete } : {}),
        ...(record.unsupported !== undefined ? { unsupported: record.unsupported } : {}),
      });
      if (record.unsupported) log(`  [${run.id}] not run: ${record.unsupported}`);
      if (record.incomplete) log(`  [${run.id}] incomplete: ${record.incomplete}`);
      // Out of descriptors: the next run would only fail the same way; stop with the one line (exit 3).
      const outOfFiles = record.incomplete === undefined ? undefined : outOfFilesLine(record.incomplete);
      if (outOfFiles) throw new HarnessError('E_ENVIRONMENT', outOfFiles);
      if (signal.aborted) throw signal.reason;
      // The environment failed under the run: the next runs would meet it too.
      if (record.environmentFault) throw new HarnessError('E_ENVIRONMENT', `run ${run.id}: ${record.environmentFault}`);
    }
    return { records };
  } catch (error) {
    return { records, error };
  } finally {
    clearTimeout(timer);
    await agents?.stop();
    await Promise.all(faultServers.map((s) => s.stop()));
  }
}
