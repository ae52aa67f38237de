import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SCHEMA_VERSION } from '../../../src/result/result.js';
import { judgeScenario } from '../../../src/checks/judge.js';
import { renderConsole, renderSummary } from '../../../src/report/summary-md.js';
import type { Plan } from '../../../src/scenario/plan.js';
import { cutCycle } from '../checks/records.js';

const mosquitto = { kind: 'managed-mosquitto' as const, software: 'mosquitto' as const, description: 'managed Mosquitto 2.0.11', options: { max_queued_messages: 10 } };
const records = [
  cutCycle({ protocol: '3.1.1', label: '3.1.1', broker: mosquitto, arrives: (seq) => seq < 10, redeliveryMs: [12, 15, 48] }),
  cutCycle({ protocol: '5', expiry: 0, label: '5 (no session expiry)', broker: mosquitto }),
  cutCycle({ protocol: '5', expiry: 3600, label: '5 (expiry 3600)', broker: mosquitto }),
];
// A QoS 1 duplicate: counted, allowed.
records[2]!.ledgers[0]!.received[0]!.duplicates = { 4: 1 };
const plan = { scenario: { name: 'quickstart', file: 'scenarios/quickstart.yaml' }, seed: 7 } as Plan;
const result = judgeScenario(plan, records, { name: 'mqtt-chaos', version: '0.0.0-test' });

/** The table's cells by row name and column. */
function cells(text: string): Map<string, string[]> {
  const rows = text.split('\n').filter((l) => l.startsWith('| '));
  return new Map(rows.map((l) => l.split(' | ').map((c) => c.replace(/^\| ?| ?\|$/g, '').trim())).map((c) => [c[0]!, c.slice(1)]));
}

describe('judgeScenario', () => {
  it('is versioned, names the tool, scenario and seed, one run per record', () => {
    assert.equal(result.schemaVersion, SCHEMA_VERSION);
    assert.deepEqual(result.tool, { name: 'mqtt-chaos', version: '0.0.0-test' });
    assert.equal(result.scenario.name, 'quickstart');
    assert.equal(result.seed, 7);
    assert.equal(result.startedAt, '2025-01-01T00:00:00.000Z');
    assert.deepEqual(result.runs.map((r) => r.verdict), ['fail', 'pass', 'pass']);
    assert.deepEqual(JSON.parse(JSON.stringify(result)), result);
  });

  it('reads the package version when no tool is given', () => {
    assert.equal(judgeScenario(plan, []).tool.name, 'mqtt-chaos');
  });
});

describe('renderSummary', () => {
  const text = renderSummary(result);
  const table = cells(text);

  it('starts with a title line', () => {
    assert.equal(text.split('\n')[0], '# mqtt-chaos: quickstart');
  });

  it('puts the runs side by side, one column each', () => {
    assert.deepEqual(table.get(''), ['3.1.1', '5 (no session expiry)', '5 (expiry 3600)']);
    assert.deepEqual(table.get('verdict'), ['FAIL', 'PASS', 'PASS']);
    assert.deepEqual(table.get('session'), ['CleanSession=0, QoS 1', 'Clean Start=0, expiry 0, QoS 1', 'Clean Start=0, expiry 3600 s, QoS 1']);
    assert.deepEqual(table.get('offline messages sent'), ['100', '100', '100']);
    assert.deepEqual(table.get('expected'), ['100', '0', '100']);
    assert.deepEqual(table.get('delivered'), ['20', '0', '100']);
    assert.deepEqual(table.get('lost'), ['80 (queue-limit)', '0', '0']);
    assert.deepEqual(table.get('duplicates'), ['0', '0', '1']);
    assert.deepEqual(table.get('redelivery p50 / p99'), ['15 ms / 48 ms', '–', '–']);
    assert.deepEqual(table.get('reconnect p50 / p99'), ['110 ms / 110 ms', '110 ms / 110 ms', '110 ms / 110 ms']);
  });

  it('lists failed checks with their one-line cause, and states the trap even for a passing run', () => {
    assert.ok(text.includes('- no expected message lost: 40 of 50 expected messages per client lost on devices: Mosquitto max_queued_messages is 10, newest messages dropped over the limit\n'));
    const v5 = text.slice(text.indexOf('## 5 (no session expiry): PASS'), text.indexOf('## 5 (expiry 3600)'));
    assert.doesNotMatch(v5, /Failed checks/);
    assert.match(v5, /Why these numbers:\n\n- Session Expiry Interval 0: the session ended at each disconnect .*0 of the 100 messages sent while devices were offline were expected, and 0 arrived\./);
  });

  it('shows an unsupported run as such, with no numbers', () => {
    const unsupported = { ...records[1]!, unsupported: 'Aedes speaks MQTT 3.1.1 only' };
    const t = cells(renderSummary(judgeScenario(plan, [records[0]!, unsupported], result.tool)));
    assert.deepEqual(t.get('verdict'), ['FAIL', 'UNSUPPORTED']);
    assert.equal(t.get('lost')![1], '–');
  });

  it('escapes a pipe in a label so the table keeps its columns', () => {
    const piped = { ...records[1]!, run: { ...records[1]!.run, label: 'a|b' } };
    assert.deepEqual(cells(renderSummary(judgeScenario(plan, [piped], result.tool))).get('')![0], 'a\\|b');
  });
});

describe('renderConsole', () => {
  it('is the same text without Markdown heading marks', () => {
    const text = renderConsole(result);
    assert.equal(text.split('\n')[0], 'mqtt-chaos: quickstart');
    assert.match(text, /^5 \(no session expiry\): PASS$/m);
    assert.match(text, /^\| verdict /m);
  });
});
