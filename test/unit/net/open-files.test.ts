import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HARNESS_RESERVE, preflightOpenFiles } from '../../../src/engine/open-files-preflight.js';
import { isHarnessError } from '../../../src/errors.js';
import { isOutOfFiles, openFileLimits, outOfFilesLine } from '../../../src/net/open-files.js';
import type { GroupPlan, Plan } from '../../../src/scenario/plan.js';

const group = (name: string, count: number): GroupPlan => ({
  name,
  count,
  role: 'subscriber',
  clientId: `${name}-{i}`,
  clean: false,
  sessionExpiry: 0,
  keepAliveSec: 30,
  qos: 1,
  topic: `${name}/{i}`,
  via: 'proxy',
  reconnect: { backoff: 'exponential', delayMs: 1000, maxMs: 5000 },
});

const plan = (...runs: number[][]): Plan => ({
  planVersion: 1,
  scenario: { name: 's', file: 's.yaml' },
  seed: 1,
  allowRemote: false,
  broker: { kind: 'embedded-aedes' },
  faults: { kind: 'embedded' },
  runs: runs.map((counts, r) => ({ id: `r${r}`, label: `r${r}`, protocol: '5', groups: counts.map((c, g) => group(`g${g}`, c)), phases: [], expect: [], notes: [] })),
});

describe('open files', () => {
  it('reads this process limits from /proc (Node raised the soft one to the hard one)', () => {
    const { soft, hard } = openFileLimits();
    assert.ok(soft > 0 && soft <= hard);
  });

  it('the preflight counts the largest run: every client plus the harness reserve', () => {
    const limits = { soft: 10_000, hard: 10_000 };
    preflightOpenFiles(plan([5_000, 4_000], [9_000]), limits);
    const need = 9_000 + 1_000 + HARNESS_RESERVE;
    assert.throws(
      () => preflightOpenFiles(plan([5_000], [9_000, 1_000]), limits),
      (err: unknown) =>
        isHarnessError(err) &&
        err.exitCode === 3 &&
        err.message === `needs ${need} open files in the harness process, the hard limit is 10000 (raise it with ulimit -Hn / LimitNOFILE= / docker --ulimit nofile=…)`,
    );
  });

  it('finds the out-of-files line inside a worker error, and only there', () => {
    const line = 'needs more than 480 open files in the harness process (socket creation failed with EMFILE), the hard limit is 480 (raise it)';
    assert.equal(outOfFilesLine(`shard 0: connect: ${line}`), line);
    assert.equal(outOfFilesLine('phase 3 timed out'), undefined);
    assert.ok(isOutOfFiles('connect EMFILE 127.0.0.1:1883 - Local (undefined:undefined)'));
    assert.ok(isOutOfFiles('ENFILE: file table overflow'));
    assert.ok(!isOutOfFiles('connect ECONNREFUSED 127.0.0.1:1883'));
  });
});
