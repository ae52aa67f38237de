import { Counter, Gauge, Registry } from 'prom-client';
import type { ProgressEvent } from '../engine/run-progress.js';
import type { Result } from '../result/result.js';
import type { Plan } from '../scenario/plan.js';
import type { GroupStatus } from '../workers/protocol.js';

/**
 * What `--metrics` serves: a run's progress as Prometheus metrics, fed by the progress
 * events the engine already emits (the shards' status polls, phases, memory samples), and
 * the judged figures of result.json once a scenario's runs are settled. Labels stay small:
 * scenario, run, group (a scenario's group names), never a client.
 *
 * Live counters are provisional: they count what the clients saw so far (a message not yet
 * delivered may still come; one delivered may not have been owed). The `mqtt_chaos_result_*`
 * metrics appear when result.json is written and are the figures that count.
 */
const PREFIX = 'mqtt_chaos_';
const PROVISIONAL = 'Provisional (live, from the clients\' counters); result.json and mqtt_chaos_result_* hold the settled figures.';

/** result.json's `runs[].redelivery` fields served as mqtt_chaos_result_messages{outcome}. */
const RESULT_OUTCOMES = ['expected', 'delivered', 'lost', 'duplicates', 'unexpected', 'notReturned', 'refused', 'unacknowledged'] as const;

type RunLabels = { scenario: string; run: string };

interface RunState {
  labels: RunLabels;
  /** The last totals seen per group, so counters grow by the difference. */
  last: Map<string, GroupStatus>;
  /** Active proxy faults: kind → the groups it holds. */
  faults: Map<string, Set<string>>;
  phaseInfo?: { phase: string; kind: string };
}

export class LiveMetrics {
  readonly registry = new Registry();
  readonly #runs = new Map<string, RunState>();

  readonly #info = this.#gauge('run_info', 'A run of the invocation (value 1): its label and protocol.', ['label', 'protocol']);
  readonly #running = this.#gauge('run_running', '1 while the run\'s phases go, 0 before and after.');
  readonly #settled = this.#gauge('run_settled', '1 once the run is judged and its mqtt_chaos_result_* figures are served; 0 while its figures are provisional.');
  readonly #phase = this.#gauge('phase', 'The phase running now, 1-based (0: none yet).');
  readonly #phaseInfo = this.#gauge('phase_info', 'The phase running now (value 1): its number and kind.', ['phase', 'kind']);
  readonly #clients = this.#gauge('clients', 'Clients of the group, as planned.', ['group']);
  readonly #connected = this.#gauge('clients_connected', `Clients of the group connected now (CONNACK received). ${PROVISIONAL}`, ['group']);
  readonly #sent = this.#counter('messages_sent_total', `PUBLISH packets the group's publishers handed to their clients. ${PROVISIONAL}`, ['group']);
  readonly #delivered = this.#counter('messages_delivered_total', `First copies the group's subscribers received (duplicates not counted). ${PROVISIONAL}`, ['group']);
  readonly #missing = this.#gauge('messages_provisionally_missing', `Messages addressed to the group's subscribers and not received yet: in flight, queued in an offline session, or lost. ${PROVISIONAL}`, ['group']);
  readonly #inFlight = this.#gauge('messages_in_flight', `Messages the group's publishers sent that have no acknowledgement yet (QoS 0: not yet written). ${PROVISIONAL}`, ['group']);
  readonly #reconnects = this.#counter('reconnects_total', `Connection attempts after each client's first (after a cut, or a connect after a disconnect phase). ${PROVISIONAL}`, ['group']);
  readonly #fault = this.#gauge('fault_active', 'Whether a fault of this kind is active now (1) or not (0).', ['fault']);
  readonly #memory = this.#gauge('broker_memory_bytes', 'The broker memory probe\'s latest sample, bytes.', ['probe']);
  readonly #result = this.#gauge('result_messages', 'Settled: result.json runs[].redelivery figures, by outcome (served once the run is judged).', ['outcome']);
  readonly #verdict = this.#gauge('result_verdict', 'Settled: the run\'s verdict in result.json (value 1).', ['verdict']);

  /** Registers a scenario's runs before they start: their info, groups and zeros. */
  plan(plan: Plan): void {
    for (const run of plan.runs) {
      const labels = { scenario: plan.scenario.name, run: run.id };
      this.#runs.set(run.id, { labels, last: new Map(), faults: new Map() });
      this.#info.set({ ...labels, label: run.label, protocol: run.protocol }, 1);
      this.#running.set(labels, 0);
      this.#settled.set(labels, 0);
      this.#phase.set(labels, 0);
      for (const g of run.groups) this.#clients.set({ ...labels, group: g.name }, g.count);
    }
  }

  /** A progress event from the engine; unknown runs (not planned here) are ignored. */
  note(event: ProgressEvent): void {
    const state = 'run' in event ? this.#runs.get(event.run) : undefined;
    if (!state) return;
    const { labels } = state;
    switch (event.type) {
      case 'run-start':
        this.#running.set(labels, 1);
        break;
      case 'phase-start':
        if (state.phaseInfo) this.#phaseInfo.remove({ ...labels, ...state.phaseInfo });
        state.phaseInfo = { phase: String(event.phase + 1), kind: event.kind };
        this.#phaseInfo.set({ ...labels, ...state.phaseInfo }, 1);
        this.#phase.set(labels, event.phase + 1);
        if (event.fault !== undefined) this.#faultOn(state, event.fault, event.groups ?? []);
        if (event.kind === 'heal') this.#heal(state, event.groups ?? []);
        break;
      case 'phase-end':
        // A broker restart is over when its phase is: the broker is back.
        this.#heal(state, [], 'broker-restart');
        break;
      case 'status':
        for (const [group, now] of Object.entries(event.groups)) this.#status(state, group, now);
        break;
      case 'memory':
        this.#memory.set({ ...labels, probe: event.probe }, event.bytes);
        break;
      case 'run-end':
        this.#running.set(labels, 0);
        // The run's proxies are gone with it.
        for (const kind of state.faults.keys()) this.#fault.set({ ...labels, fault: kind }, 0);
        state.faults.clear();
        if (state.phaseInfo) this.#phaseInfo.remove({ ...labels, ...state.phaseInfo });
        state.phaseInfo = undefined;
        break;
    }
  }

  /** The scenario's result.json is written: its figures are served and its runs marked settled. */
  settle(result: Result): void {
    for (const run of result.runs) {
      const state = this.#runs.get(run.id);
      if (!state || state.labels.scenario !== result.scenario.name) continue;
      const { labels } = state;
      for (const outcome of RESULT_OUTCOMES) {
        const value = run.redelivery[outcome];
        if (value !== undefined) this.#result.set({ ...labels, outcome }, value);
      }
      this.#verdict.set({ ...labels, verdict: run.verdict }, 1);
      this.#settled.set(labels, 1);
    }
  }

  #status(state: RunState, group: string, now: GroupStatus): void {
    const labels = { ...state.labels, group };
    const last = state.last.get(group) ?? { connected: 0, sent: 0, settled: 0, sentTo: 0, received: 0, reconnects: 0 };
    // Counters only grow: a total never falls, so the difference is what is new.
    this.#sent.inc(labels, Math.max(0, now.sent - last.sent));
    this.#delivered.inc(labels, Math.max(0, now.received - last.received));
    this.#reconnects.inc(labels, Math.max(0, now.reconnects - last.reconnects));
    this.#connected.set(labels, now.connected);
    this.#missing.set(labels, Math.max(0, now.sentTo - now.received));
    this.#inFlight.set(labels, Math.max(0, now.sent - now.settled));
    state.last.set(group, now);
  }

  #faultOn(state: RunState, kind: string, groups: readonly string[]): void {
    const held = state.faults.get(kind) ?? new Set<string>();
    for (const g of groups) held.add(g);
    // A broker restart holds no group: it is on for its phase.
    if (groups.length === 0) held.add('*');
    state.faults.set(kind, held);
    this.#fault.set({ ...state.labels, fault: kind }, 1);
  }

  /** Heals the groups (of every fault, or of `only`); a fault holding no group is off. */
  #heal(state: RunState, groups: readonly string[], only?: string): void {
    for (const [kind, held] of state.faults) {
      if (only !== undefined && kind !== only) continue;
      if (only !== undefined) held.clear();
      for (const g of groups) held.delete(g);
      if (held.size === 0) this.#fault.set({ ...state.labels, fault: kind }, 0);
    }
  }

  #gauge(name: string, help: string, extra: string[] = []): Gauge {
    return new Gauge({ name: `${PREFIX}${name}`, help, labelNames: ['scenario', 'run', ...extra], registers: [this.registry] });
  }

  #counter(name: string, help: string, extra: string[] = []): Counter {
    return new Counter({ name: `${PREFIX}${name}`, help, labelNames: ['scenario', 'run', ...extra], registers: [this.registry] });
  }
}
