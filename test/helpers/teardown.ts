/**
 * A teardown registry for tests: everything a test starts (servers, sockets, child
 * processes) is registered here right after it is created, and released in reverse order
 * when the test ends — pass or fail. Each step is bounded in time, and one failing step
 * does not stop the others.
 */

type Step = { name: string; fn: () => unknown };

/** The part of node:test's TestContext (or the suite-level `after`) we need. */
export interface HasAfter {
  after(fn: () => unknown): void;
}

export class Teardown {
  private readonly steps: Step[] = [];
  private running = false;

  constructor(private readonly stepTimeoutMs = 5000) {}

  /** Registers a release step; it runs before every step registered earlier. */
  add(name: string, fn: () => unknown): void {
    if (this.running) {
      // Registered while tearing down: run it right away, still bounded.
      void this.runStep({ name, fn });
      return;
    }
    this.steps.push({ name, fn });
  }

  /** Runs every step, newest first. Never rejects; reports step failures on stderr. */
  async run(): Promise<void> {
    this.running = true;
    try {
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        await this.runStep(step);
      }
    } finally {
      this.running = false;
    }
  }

  private async runStep(step: Step): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(step.fn),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`teardown step "${step.name}" took over ${this.stepTimeoutMs} ms`)),
            this.stepTimeoutMs,
          );
          timer.unref();
        }),
      ]);
    } catch (err) {
      process.stderr.write(`# teardown: ${step.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}

/** A registry released when the test (or suite) `t` ends. */
export function useTeardown(t: HasAfter, stepTimeoutMs?: number): Teardown {
  const td = new Teardown(stepTimeoutMs);
  t.after(() => td.run());
  return td;
}
