import type { MemoryPlan, MemoryProbePlan } from '../scenario/plan.js';
import type { MemoryProbe } from './memory-probe.js';
import { PrometheusProbe } from './memory-prometheus.js';
import { RssProbe } from './memory-rss.js';
import { SysHeapProbe } from './memory-sys-heap.js';
import type { BrokerTarget } from './types.js';

/** Mosquitto's default sys_interval. */
const EXTERNAL_SYS_INTERVAL_MS = 10_000;

export interface ChosenProbes {
  probes: MemoryProbe[];
  /** What was chosen (or not) and why, for the report. */
  notes: string[];
}

export interface ProbeContext {
  allowRemote: boolean;
  /** How long the $SYS probe waits for its first value at start. */
  firstValueMs?: number;
}

/**
 * The probes a run reads. `auto` goes by the broker: a managed Mosquitto gets its $SYS heap
 * and its process RSS; another Mosquitto its $SYS heap (the harness knows no pid for it);
 * anything else nothing, with a note saying how to ask for a probe.
 */
export function chooseProbes(plan: MemoryPlan, target: BrokerTarget, context: ProbeContext): ChosenProbes {
  const notes: string[] = [];
  let wanted: MemoryProbePlan[];
  if (plan.probes !== 'auto') {
    wanted = plan.probes;
  } else if (target.kind === 'managed-mosquitto') {
    wanted = [{ kind: 'sys-heap' }, { kind: 'rss' }];
  } else if (target.software === 'mosquitto') {
    wanted = [{ kind: 'sys-heap' }];
    notes.push(
      'external Mosquitto: $SYS heap only, published every sys_interval (10 s unless its config says otherwise), so give measure phases a settle longer than that; ' +
        'for its RSS add { rss: { process: mosquitto } } to memory.probes',
    );
  } else if (target.kind === 'embedded-aedes') {
    wanted = [];
    notes.push('embedded Aedes: no automatic memory probe (its RSS is a Node.js process that garbage-collects); add rss to memory.probes to sample it anyway');
  } else {
    wanted = [];
    notes.push('not a Mosquitto: no automatic memory probe; name one in memory.probes ({ prometheus: { url, metric } } or { rss: { pid } })');
  }
  const probes = wanted.map((p) => makeProbe(p, target, context));
  const seen = new Map<string, number>();
  return {
    probes: probes.map((probe) => {
      const n = (seen.get(probe.name) ?? 0) + 1;
      seen.set(probe.name, n);
      return n === 1 ? probe : renamed(probe, `${probe.name}-${n}`);
    }),
    notes,
  };
}

function makeProbe(plan: MemoryProbePlan, target: BrokerTarget, context: ProbeContext): MemoryProbe {
  switch (plan.kind) {
    case 'rss':
      if (plan.pid !== undefined) {
        const { pid } = plan;
        return new RssProbe({ kind: 'pid', pid: () => pid, what: 'the pid the scenario gives' });
      }
      if (plan.process !== undefined) return new RssProbe({ kind: 'process', name: plan.process });
      if (target.kind === 'external') {
        return unavailableProbe('rss', 'VmRSS of the broker process', 'the harness did not start this broker, so it knows no pid: give { rss: { pid } } or { rss: { process } }');
      }
      return new RssProbe({ kind: 'pid', pid: () => target.pid, what: target.kind === 'managed-mosquitto' ? 'the managed Mosquitto' : 'the embedded Aedes' });
    case 'sys-heap': {
      if (target.software === 'aedes') {
        return unavailableProbe('sys-heap', '$SYS/broker/heap/current', 'Aedes does not publish $SYS/broker/heap/current (it is Mosquitto\'s)');
      }
      const protocol = target.url.startsWith('mqtts:') ? 'mqtts' : 'mqtt';
      return new SysHeapProbe({
        protocol,
        host: target.host,
        port: target.port,
        ...target.credentials,
        ...(context.firstValueMs !== undefined ? { firstValueMs: context.firstValueMs } : {}),
        // A managed Mosquitto publishes $SYS every second; another, every 10 s unless configured.
        ...(target.kind === 'managed-mosquitto' ? {} : { concludeMs: 2 * EXTERNAL_SYS_INTERVAL_MS }),
      });
    }
    case 'prometheus':
      return new PrometheusProbe({ url: plan.url, metric: plan.metric, labels: plan.labels, allowRemote: context.allowRemote });
  }
}

/** A probe that can never read, and says why. */
function unavailableProbe(name: string, source: string, reason: string): MemoryProbe {
  return {
    name,
    source,
    unavailable: reason,
    start: async () => {},
    sample: async () => undefined,
    stop: async () => {},
  };
}

/** The same probe under another name (two of a kind in one run). */
function renamed(probe: MemoryProbe, name: string): MemoryProbe {
  return {
    name,
    get source() {
      return probe.source;
    },
    get unavailable() {
      return probe.unavailable;
    },
    start: () => probe.start(),
    sample: () => probe.sample(),
    stop: () => probe.stop(),
  };
}
