/**
 * One process against three local agents: the same scenario through the lying broker (our
 * MITM in front of a real Mosquitto), which drops three chosen QoS 2 messages to two
 * subscribers and delivers one other twice. Split over 3 agents, the publishers run in two
 * of them and their subscribers in all three, so every message crosses agents; the merged
 * ledgers must give exactly the counts and verdicts of the one-process run, and the lies
 * must be found exactly (the right subscribers, the right sequence numbers).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dropMessages, duplicateQos2 } from '../../helpers/mitm/lies.js';
import { Mitm } from '../../helpers/mitm/server.js';
import { startMosquitto } from '../../helpers/brokers.js';
import { useTeardown, type Teardown } from '../../helpers/teardown.js';
import { nameToken } from '../../../src/scenario/topic-names.js';
import { honestCounts, countsOf, mosquittoBinary, needsMosquitto, scenario, subscriberViews, whereNonZero, type Shape } from '../lying-broker/support.js';
import { planFrom, tempDir } from '../run/support.js';
import { runWithAgents, type AgentRan } from './support.js';

const SHAPE: Shape = { name: 'agents', protocols: ['3.1.1', '5'], session: '{ clean: false, expiry: 3600 }', qos: 2, online: 3, offline: 10 };
// Online seqs are 0..2, the backlog 3..12.
const DROPS: Record<string, number[]> = { '3': [1, 6], '6': [9] };
const DUPLICATED = { subscriber: '4', seq: 7 };
const DROPPED = 3;

async function throughMitm(td: Teardown, tag: string, agents?: number): Promise<AgentRan & { mitm: Mitm }> {
  const broker = await startMosquitto(td, mosquittoBinary!);
  const lies = [
    ...Object.entries(DROPS).map(([i, seqs]) => dropMessages(new RegExp(`^dev-.+-${i}$`), seqs)),
    duplicateQos2(new RegExp(`^dev-.+-${DUPLICATED.subscriber}$`), [DUPLICATED.seq]),
  ];
  const mitm = await Mitm.start(td, { host: '127.0.0.1', port: broker.port }, lies);
  const dir = await tempDir(td, `agents-${tag}`);
  const plan = await planFrom(dir, scenario(SHAPE, mitm.url));
  const ran = await runWithAgents(td, plan, dir, agents ? { agents: { kind: 'local', count: agents } } : {});
  assert.equal(ran.outcome.error, undefined, `the run ended early: ${String(ran.outcome.error)}\n${ran.log.join('\n')}`);
  return { ...ran, mitm };
}

describe('agents: one process and three agents judge the same', { skip: needsMosquitto }, () => {
  it('3 dropped and 1 duplicated QoS 2 messages: identical counts, checks and verdicts, the lies found exactly, for 3.1.1 and 5', async (t) => {
    const td = useTeardown(t);
    const single = await throughMitm(td, 'single');
    const split = await throughMitm(td, 'split', 3);

    assert.equal(split.agentPids.length, 3, 'three local agents joined');
    for (const run of split.result.runs) {
      const agents = run.agents ?? [];
      assert.deepEqual(agents.map((a) => a.clients), [5, 4, 3], `${run.id}: 12 clients over 3 agents exactly`);
      assert.deepEqual(agents.map((a) => a.share), [
        [{ group: 'devices', first: 0, count: 4 }, { group: 'backend', first: 0, count: 1 }],
        [{ group: 'devices', first: 4, count: 3 }, { group: 'backend', first: 1, count: 1 }],
        [{ group: 'devices', first: 7, count: 3 }],
      ]);
      assert.ok(agents.every((a) => a.lost === undefined));
    }
    assert.equal(single.result.runs[0]!.agents, undefined, 'one process: no agents recorded');

    const honest = honestCounts(SHAPE);
    const want = {
      ...honest,
      delivered: honest.expected - DROPPED,
      lost: DROPPED,
      lostBy: { ...honest.lostBy, unknown: DROPPED },
      offlineDelivered: honest.offline - 2,
      duplicates: 1,
      qos2Duplicates: 1,
    };
    for (const id of ['3.1.1', '5']) {
      const one = single.result.runs.find((r) => r.id === id)!;
      const three = split.result.runs.find((r) => r.id === id)!;
      for (const [name, ran, run] of [['one process', single, one], ['3 agents', split, three]] as const) {
        const why = `${name}, run ${id}\n${ran.log.join('\n')}`;
        assert.equal(run.incomplete, undefined, why);
        assert.deepEqual(run.shortfalls, [], why);
        assert.deepEqual(countsOf(run), want, `${name}: the ledger, count by count\n${why}`);
        assert.equal(run.verdict, 'fail', why);
        assert.deepEqual(run.checks.filter((c) => !c.passed).map((c) => c.name).sort(), ['no QoS 2 duplicates', 'no expected message lost'], why);
        const token = nameToken(id);
        assert.deepEqual(
          ran.mitm.eventsOf('drop').filter((e) => e.clientId.startsWith(`dev-${token}-`)).map((e) => `${e.clientId}#${e.seq}`).sort(),
          [`dev-${token}-3#1`, `dev-${token}-3#6`, `dev-${token}-6#9`],
          `${name}: the MITM dropped each chosen message once`,
        );
        const record = ran.outcome.records.find((r) => r.run.id === id);
        assert.ok(record, `${name}: a record of run ${id}`);
        const views = subscriberViews(record);
        assert.deepEqual(whereNonZero(views, (v) => v.lost.length), { [`dev-${token}-3`]: 2, [`dev-${token}-6`]: 1 }, `${name}: lost only by the two`);
        assert.deepEqual(views.get(`dev-${token}-3`)!.lost, DROPS['3']);
        assert.deepEqual(views.get(`dev-${token}-6`)!.lost, DROPS['6']);
        assert.deepEqual(whereNonZero(views, (v) => v.tally.qos2Duplicates), { [`dev-${token}-${DUPLICATED.subscriber}`]: 1 }, `${name}: the duplicate is that subscriber's`);
      }
      assert.deepEqual(countsOf(three), countsOf(one), `${id}: 3 agents count as one process does`);
      assert.deepEqual(three.checks.map((c) => [c.name, c.passed, c.actual]), one.checks.map((c) => [c.name, c.passed, c.actual]), `${id}: the same checks`);
      assert.equal(three.verdict, one.verdict);
    }
  });
});
