import { count, duration } from '../checks/words.js';
import type { ProgressEvent } from '../engine/run-progress.js';

/**
 * Live progress of `run`, rendered three ways from the engine's events and log lines:
 *  - tty: stderr is a terminal: log lines scroll, one status line under them is redrawn in
 *    place (phase, clients connected, messages sent and received, elapsed, ETA);
 *  - plain: CI, a pipe, NO_COLOR or TERM=dumb: the log lines, and the status as a line of
 *    its own at most every `intervalMs`, each starting "  [<run>]";
 *  - json: NDJSON on stdout, one event per line with `t` (ms since the start); the log lines
 *    still go to stderr for people.
 */
export type ProgressMode = 'tty' | 'plain' | 'json';

export function progressMode(options: { json: boolean; isTTY: boolean; env: NodeJS.ProcessEnv }): ProgressMode {
  const { env } = options;
  if (options.json) return 'json';
  const plain = !options.isTTY || (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || (env.CI !== undefined && env.CI !== '' && env.CI !== 'false') || env.TERM === 'dumb';
  return plain ? 'plain' : 'tty';
}

/** Where the renderer writes: stderr-like for people, stdout-like for NDJSON. */
export interface Sink {
  write(text: string): unknown;
  columns?: number;
}

export interface ProgressOptions {
  mode: ProgressMode;
  err: Sink;
  out: Sink;
  /** Plain mode: the least time between two status lines. */
  intervalMs?: number;
  /** ms, monotonic; injectable for tests. */
  now?: () => number;
  /** TTY mode: redraw this often even without events, so elapsed time moves. */
  tickMs?: number;
}

interface RunState {
  id: string;
  label: string;
  index: number;
  runs: number;
  phases: number;
  clients: number;
  estimateMs: number | null;
  phaseEstimatesMs: (number | null)[];
  startedAt: number;
  phase?: { index: number; label: string; startedAt: number };
  status?: Extract<ProgressEvent, { type: 'status' }>;
}

export class ProgressRenderer {
  readonly mode: ProgressMode;
  readonly #err: Sink;
  readonly #out: Sink;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #start: number;
  readonly #finished: number[] = [];
  #run: RunState | undefined;
  #shown = '';
  #lastPlain = -Infinity;
  #ticker: NodeJS.Timeout | undefined;

  constructor(options: ProgressOptions) {
    this.mode = options.mode;
    this.#err = options.err;
    this.#out = options.out;
    this.#intervalMs = options.intervalMs ?? 5000;
    this.#now = options.now ?? (() => performance.now());
    this.#start = this.#now();
    if (this.mode === 'tty') {
      this.#ticker = setInterval(() => this.#redraw(), options.tickMs ?? 1000);
      this.#ticker.unref();
    }
  }

  /** A line for people (the engine's log): above the status line on a terminal. */
  log = (line: string): void => {
    if (this.mode === 'json') this.#json({ type: 'log', message: line });
    if (this.mode === 'tty') {
      this.#clear();
      this.#err.write(`${line}\n`);
      this.#redraw();
      return;
    }
    this.#err.write(`${line}\n`);
  };

  /** An event from the engine (or the CLI's own, e.g. scenario-start). */
  event = (event: ProgressEvent | ({ type: string } & Record<string, unknown>)): void => {
    if (this.mode === 'json') this.#json(event);
    const now = this.#now();
    const e = event as ProgressEvent;
    switch (e.type) {
      case 'run-start':
        this.#run = {
          id: e.run,
          label: e.label,
          index: e.index,
          runs: e.runs,
          phases: e.phases,
          clients: e.clients,
          estimateMs: e.estimateMs,
          phaseEstimatesMs: e.phaseEstimatesMs ?? [],
          startedAt: now,
        };
        break;
      case 'phase-start':
        if (this.#run?.id === e.run) this.#run.phase = { index: e.phase, label: e.label, startedAt: now };
        break;
      case 'status':
        if (this.#run?.id === e.run) this.#run.status = e;
        if (this.mode === 'plain' && now - this.#lastPlain >= this.#intervalMs) {
          this.#lastPlain = now;
          this.#err.write(`  [${e.run}] ${this.statusLine()}\n`);
        }
        break;
      case 'run-end':
        if (!e.unsupported) this.#finished.push(e.tookMs);
        this.#run = undefined;
        // A run not done or stopped early is said by the engine's own log line.
        if (this.mode !== 'json' && !e.unsupported && !e.incomplete) this.log(`  [${e.run}] done in ${duration(e.tookMs)}`);
        this.#lastPlain = -Infinity;
        break;
    }
    if (this.mode === 'tty') this.#redraw();
  };

  /** Prints a JSON document as one line on stdout (json mode: the result, after the events). */
  document(value: unknown): void {
    this.#out.write(`${JSON.stringify(value)}\n`);
  }

  /** Clears the status line until the next event (before writing to stdout on the same terminal). */
  suspend(): void {
    this.#clear();
  }

  /** Clears the status line and stops redrawing. */
  close(): void {
    clearInterval(this.#ticker);
    this.#clear();
  }

  /** What the status line says now: run, phase, clients, messages, elapsed, ETA. */
  statusLine(): string {
    const run = this.#run;
    const now = this.#now();
    const elapsed = `${duration(now - this.#start)} elapsed`;
    if (!run) return elapsed;
    const parts = [`run ${run.index + 1}/${run.runs} ${run.label}`];
    parts.push(run.phase ? `phase ${run.phase.index + 1}/${run.phases} ${run.phase.label}` : 'starting broker and clients');
    const s = run.status;
    if (s) {
      parts.push(`${count(s.connected)}/${count(s.clients)} connected`);
      if (s.agents) parts.push(agentsPart(s.agents));
      parts.push(`sent ${count(s.sent)}`, `received ${count(s.received)}`);
    }
    parts.push(elapsed, this.#eta(run, now));
    return parts.join(' · ');
  }

  /** ~ from the runs already done (same load, same phases); ≥ from the plan's waits and rates alone. */
  #eta(run: RunState, now: number): string {
    const left = run.runs - run.index - 1;
    const inRun = now - run.startedAt;
    if (this.#finished.length > 0) {
      const perRun = this.#finished.reduce((a, b) => a + b, 0) / this.#finished.length;
      return `ETA ~${duration(Math.max(0, perRun - inRun) + left * perRun)}`;
    }
    if (run.estimateMs === null) return 'ETA unknown';
    // This run: what the plan gives the current phase beyond its time so far, and the phases after it.
    const estimates = run.phaseEstimatesMs;
    const at = run.phase?.index ?? -1;
    const current = at >= 0 ? Math.max(0, (estimates[at] ?? 0) - (now - run.phase!.startedAt)) : 0;
    const later = estimates.slice(at + 1).reduce<number>((a, b) => a + (b ?? 0), 0);
    const thisRun = estimates.length > 0 ? current + later : Math.max(0, run.estimateMs - inRun);
    return `ETA ≥ ${duration(thisRun + left * run.estimateMs)}`;
  }

  #json(event: object): void {
    this.#out.write(`${JSON.stringify({ ...event, t: Math.round(this.#now() - this.#start) })}\n`);
  }

  #redraw(): void {
    if (this.mode !== 'tty') return;
    if (!this.#run) return this.#clear();
    // A pseudo-terminal may report 0 columns: then assume a common width.
    const columns = this.#err.columns && this.#err.columns > 20 ? this.#err.columns : 100;
    const width = columns - 1;
    const line = this.statusLine();
    const text = line.length > width ? `${line.slice(0, width - 1)}…` : line;
    if (text === this.#shown) return;
    this.#err.write(`\r\x1b[2K${text}`);
    this.#shown = text;
  }

  #clear(): void {
    if (this.mode !== 'tty' || this.#shown === '') return;
    this.#err.write('\r\x1b[2K');
    this.#shown = '';
  }
}

/** Each agent's connected clients of its share, and the one furthest behind the others. */
function agentsPart(agents: readonly { agent: number; connected: number; clients: number }[]): string {
  const shares = agents.map((a) => `${count(a.connected)}/${count(a.clients)}`).join(' ');
  const done = (a: { connected: number; clients: number }): number => (a.clients > 0 ? a.connected / a.clients : 1);
  const slowest = agents.reduce((a, b) => (done(b) < done(a) ? b : a));
  // Named only when it is behind the others, not while all keep pace.
  if (!agents.some((a) => done(a) > done(slowest))) return `agents ${agents.length}: ${shares}`;
  return `agents ${agents.length}: ${shares} (slowest: agent ${slowest.agent})`;
}
