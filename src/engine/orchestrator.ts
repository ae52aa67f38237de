import { findMosquittoBinary } from '../brokers/capabilities.js';
import { chooseAutoBroker } from '../brokers/start-broker.js';
import type { BrokerSpec } from '../brokers/types.js';
import { HarnessError } from '../errors.js';
import type { Plan } from '../scenario/plan.js';
import { executeRun } from './execute-run.js';
import { connectToxiproxy, startEmbeddedFaultServers, type FaultServerHandle } from './fault-server-process.js';
import type { RunRecord } from './run-record.js';
import { emitSafely, phaseEstimateMs, runEstimateMs, type ProgressListener } from './run-progress.js';

export interface ScenarioRunOptions {
  /** Where this invocation writes (broker configs and logs, per run). */
  runDir: string;
  signal: AbortSignal;
  log: (line: string) => void;
  /** Progress events for a renderer (run-start/-end, phases, clients' counters); optional. */
  onProgress?: ProgressListener;
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

/**
 * Runs every run of the plan in order against a fault server started (or reached) once.
 * Never throws: an error ends the invocation early but what was measured is returned.
 */
export async function runScenario(plan: Plan, options: ScenarioRunOptions): Promise<ScenarioOutcome> {
  const { log, signal } = options;
  const records: RunRecord[] = [];
  let faultServers: FaultServerHandle[] = [];
  try {
    const broker = await resolveBroker(plan.broker, log);
    faultServers =
      plan.faults.kind === 'embedded'
        ? await startEmbeddedFaultServers(largestProxiedPopulation(plan), log)
        : [await connectToxiproxy(plan.faults.url, plan.allowRemote)];
    for (const [index, run] of plan.runs.entries()) {
      if (signal.aborted) throw signal.reason;
      log(`run ${run.id}: ${run.label} (MQTT ${run.protocol})`);
      const clients = run.groups.reduce((n, g) => n + g.count, 0);
      const begun = performance.now();
      emitSafely(options.onProgress, { type: 'run-start', run: run.id, label: run.label, protocol: run.protocol, index, runs: plan.runs.length, phases: run.phases.length, clients, estimateMs: runEstimateMs(run), phaseEstimatesMs: run.phases.map((p) => phaseEstimateMs(p, run)) });
      const record = await executeRun({
        plan,
        run,
        broker,
        faultServerUrls: faultServers.map((s) => s.url),
        runDir: options.runDir,
        signal,
        log,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      records.push(record);
      emitSafely(options.onProgress, {
        type: 'run-end',
        run: run.id,
        tookMs: Math.round(performance.now() - begun),
        ...(record.incomplete !== undefined ? { incomplete: record.incomplete } : {}),
        ...(record.unsupported !== undefined ? { unsupported: record.unsupported } : {}),
      });
      if (record.unsupported) log(`  [${run.id}] not run: ${record.unsupported}`);
      if (record.incomplete) log(`  [${run.id}] incomplete: ${record.incomplete}`);
      if (signal.aborted) throw signal.reason;
      // The environment failed under the run: the next runs would meet it too.
      if (record.environmentFault) throw new HarnessError('E_ENVIRONMENT', `run ${run.id}: ${record.environmentFault}`);
    }
    return { records };
  } catch (error) {
    return { records, error };
  } finally {
    await Promise.all(faultServers.map((s) => s.stop()));
  }
}
