/**
 * A ramp to the knee as result.json holds it: the dimension grown, every step asked for
 * (with the ids of its runs in `runs[]`), and where the broker's knee was, or why the ramp
 * stopped without finding one. Plain types (see result.ts).
 */

/**
 * held: every run of the step passed; broke: a run failed a check (the knee is below
 * this step's value); incomplete: a run could not do what was asked (never held, never a
 * knee); stopped: the step did not finish (a machine limit, the environment, Ctrl-C,
 * the deadline); not-run: the ramp stopped before it.
 */
export type RampStepStatus = 'held' | 'broke' | 'incomplete' | 'stopped' | 'not-run';

/**
 * knee: a step held and a later one broke; no-knee: every step held; below-range: the
 * first step already broke; incomplete: a step could not do what was asked; broker-limit:
 * it could not because the broker refused (a connection, a subscription, a publish: its
 * configured limits), so the SLO was never measured there; machine-limit:
 * the machine running the harness could not drive the next step (e.g. open files), which says
 * nothing about the broker; stopped: the environment, Ctrl-C or the deadline ended it.
 */
export type RampOutcome = 'knee' | 'no-knee' | 'below-range' | 'incomplete' | 'broker-limit' | 'machine-limit' | 'stopped';

/** A scenario expectation as the curves draw it: its SLO line. */
export interface RampSlo {
  /** As written, e.g. "memory.peak <= 4MB". */
  name: string;
  metric: string;
  op: string;
  /** In the metric's unit (ms, bytes, a fraction, a count). */
  value: number;
  unit: string;
}

/** One expectation's measured value in one run of a step. */
export interface RampValue {
  slo: string;
  /** The run's id in the scenario without the step (e.g. "5"), so a curve joins its steps. */
  run: string;
  actual: number | null;
  passed: boolean;
}

export interface RampStep {
  value: number;
  status: RampStepStatus;
  /** Ids of the step's runs in `runs[]`. */
  runs: string[];
  /** For a step that did not hold: why, one line per run or cause. */
  reasons: string[];
  values: RampValue[];
}

export interface RampResult {
  grow: 'sessions' | 'backlog' | 'rate';
  group: string;
  /** What a step's value counts: "sessions", "messages per session", "messages/s". */
  unit: string;
  slos: RampSlo[];
  steps: RampStep[];
  outcome: RampOutcome;
  /** Values of the last step that held and the first that did not; null: none. */
  lastHeld: number | null;
  firstBroke: number | null;
  /** The finding in one line, e.g. "knee between 400 and 800 sessions: ...". */
  finding: string;
}
