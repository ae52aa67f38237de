/**
 * One worker's slice of the run: its clients (created at once, connected on command), the
 * phase commands, the counters and, at the end, its ledger. Plain logic, no port: the
 * task entry (shard-task.ts) does the messaging.
 */
import type { SentRun, ShardLedger } from '../metrics/ledger.js';
import { encodeHistogram } from '../metrics/histograms.js';
import type { GroupPlan, PublishPhase } from '../scenario/plan.js';
import { SimClient } from './client.js';
import { ExpiryShard } from './expiry-shard.js';
import { runConnectPhase } from './connect-phase.js';
import type { Connection } from './expiry-client.js';
import { Inbox, ReceiveTotals } from './inbox.js';
import { clientIdOf } from './invocation.js';
import { clientSeed, createRandom } from './jitter.js';
import type { ClearReport, ClearRequest, Command, GroupStatus, ShardInit, ShardStatus } from './protocol.js';
import { runPublishPhase, type Publisher } from './publish-phase.js';
import { runTakeoverPhase } from './takeover-phase.js';
import { SaidTally } from './said-tally.js';
import { sharedFilter } from '../scenario/shares.js';
import { clearSessions } from './session-clear.js';

/** Commands that run to a `done`; `status` and `finish` are the task entry's business. */
export type PhaseCommand = Exclude<Command, { kind: 'status' } | { kind: 'finish' }>;

const SUBACK_LIMIT_MS = 10_000;
const STOP_LIMIT_MS = 3_000;

interface OwnedGroup {
  plan: GroupPlan;
  clients: SimClient[];
  /** Created on the group's first publish phase. */
  publishers?: Publisher[];
  /** Its subscribers' inboxes. */
  inboxes: Inbox[];
  /** Messages this shard's publishers addressed to this group. */
  sentTo: { count: number };
}

function resolveIndex(pattern: string, index: number): string {
  return pattern.replaceAll('{i}', String(index));
}

/** Resolves with `work`'s value, or with `fallback` after `ms`. */
function bounded<T>(ms: number, work: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export class Shard {
  readonly #init: ShardInit;
  readonly #groups = new Map<string, OwnedGroup>();
  /** Sorted, so the header's group index means the same group in every shard. */
  readonly #groupNames: string[];
  readonly #totals: ReceiveTotals;
  readonly #inboxes: Inbox[] = [];
  readonly #sentRuns: SentRun[] = [];
  readonly #said = new SaidTally();
  /** Created by the first measure-expiry command. */
  #expiry: ExpiryShard | undefined;
  #stopping: Promise<void> | undefined;

  constructor(init: ShardInit) {
    this.#init = init;
    this.#groupNames = Object.keys(init.groupSizes).sort();
    this.#totals = new ReceiveTotals(this.#groupNames, init.invocation);
    for (const { plan, first, count, endpoints } of init.groups) {
      const clients: SimClient[] = [];
      const inboxes: Inbox[] = [];
      for (let index = first; index < first + count; index++) {
        const ref = `${plan.name}/${index}`;
        const inbox = plan.topic !== undefined ? new Inbox(ref, this.#totals) : undefined;
        if (inbox) inboxes.push(inbox);
        clients.push(
          new SimClient({
            ref,
            index,
            clientId: clientIdOf(plan.clientId, index, init.invocation),
            group: plan,
            ...(plan.topic !== undefined ? { topic: plan.share !== undefined ? sharedFilter(plan.share, plan.topic) : resolveIndex(plan.topic, index) } : {}),
            // Clients take the group's endpoints in turn (several fault servers share a population).
            endpoint: endpoints[index % endpoints.length]!,
            protocol: init.protocol,
            ...(init.credentials ? { credentials: init.credentials } : {}),
            random: createRandom(clientSeed(init.seed, plan.name, index)),
            ...(inbox ? { sink: inbox } : {}),
            said: this.#said,
          }),
        );
      }
      this.#inboxes.push(...inboxes);
      this.#groups.set(plan.name, { plan, clients, inboxes, sentTo: { count: 0 } });
    }
  }

  /** Runs one phase command to its end; resolves with the `done` detail, if any. */
  run(command: PhaseCommand): Promise<string | undefined> {
    switch (command.kind) {
      case 'connect':
        return runConnectPhase(
          command.groups.map(({ name, ratePerSec }) => ({
            clients: this.#group(name).clients,
            groupCount: this.#init.groupSizes[name] ?? 0,
            ...(ratePerSec !== undefined ? { ratePerSec } : {}),
          })),
          this.#init.shard,
          this.#init.shards,
        );
      case 'subscribe':
        return this.#subscribe(command.groups);
      case 'publish':
        return this.#publish(command.phase);
      case 'disconnect':
        return this.#disconnect(command.groups, command.mode);
      case 'takeover':
        return runTakeoverPhase(command.groups.flatMap((name) => this.#group(name).clients), this.#init.broker, command.closeWithinMs);
      case 'expiry-connect':
      case 'expiry-close':
      case 'expiry-observe':
        this.#expiry ??= new ExpiryShard(this.#init);
        return this.#expiry.run(command);
    }
  }

  status(): ShardStatus {
    let connected = 0;
    let subscribedNow = 0;
    let sent = 0;
    const groups: Record<string, GroupStatus> = {};
    for (const [name, group] of this.#groups) {
      const g: GroupStatus = { connected: 0, sent: 0, settled: 0, sentTo: group.sentTo.count, received: 0, reconnects: 0 };
      for (const client of group.clients) {
        if (client.connected) g.connected++;
        if (client.subscribedNow) subscribedNow++;
        if (client.attempts.length > 1) g.reconnects += client.attempts.length - 1;
      }
      for (const p of group.publishers ?? []) {
        g.sent += p.sent;
        g.settled += p.settled;
      }
      for (const inbox of group.inboxes) g.received += inbox.received;
      connected += g.connected;
      sent += g.sent;
      groups[name] = g;
    }
    const { received, lastReceiveAt } = this.#totals;
    return { connected, received, sent, subscribedNow, lastReceiveAt, groups };
  }

  /** Every client stopped: no more reconnects or records. Safe to call twice. */
  stop(): Promise<void> {
    const clients = [...this.#groups.values()].flatMap((g) => g.clients);
    return (this.#stopping ??= bounded(STOP_LIMIT_MS, Promise.all([...clients.map((c) => c.stop()), this.#expiry?.stop()]), undefined).then(() => undefined));
  }

  /**
   * Clears every session a client of this shard may have left on the broker: those that
   * outlive their connection (3.1.1 CleanSession=0, v5 with an expiry) and tried to
   * connect at least once. After stop(): a live client would take its session back.
   */
  async clearSessions(request: ClearRequest): Promise<ClearReport> {
    await this.stop();
    const init = this.#init;
    const persistent = [...this.#groups.values()]
      .filter((g) => g.plan.sessionExpiry > 0)
      .flatMap((g) => g.clients.filter((c) => c.attempts.length > 0));
    const connections: Connection[] = [
      ...persistent.map((c) => ({
        clientId: c.spec.clientId,
        endpoint: init.broker ?? c.spec.endpoint,
        protocol: init.protocol,
        ...(init.credentials ? { credentials: init.credentials } : {}),
      })),
      ...(this.#expiry?.unended() ?? []),
    ];
    return clearSessions(connections, request);
  }

  /** Stops every client, then the ledger. */
  async finish(): Promise<ShardLedger> {
    await this.stop();
    const clients = [...this.#groups.values()].flatMap((g) => g.clients);
    const expiry = this.#expiry?.ledger();
    return {
      shard: this.#init.shard,
      clients: clients.map((c) => c.log()),
      sent: this.#sentRuns,
      received: this.#inboxes.flatMap((inbox) => inbox.runs()),
      malformed: this.#totals.malformed,
      ...(this.#totals.leftover > 0 ? { leftover: Object.fromEntries(this.#inboxes.filter((i) => i.leftover > 0).map((i) => [i.subscriber, i.leftover])) } : {}),
      said: this.#said.entries(),
      histograms: { e2e: encodeHistogram(this.#totals.e2e), redelivery: encodeHistogram(this.#totals.redelivery) },
      ...(expiry ? { expiry } : {}),
    };
  }

  #group(name: string): OwnedGroup {
    const group = this.#groups.get(name);
    if (!group) throw new Error(`shard ${this.#init.shard}: unknown group "${name}"`);
    return group;
  }

  async #subscribe(names: string[]): Promise<string | undefined> {
    const clients = names.flatMap((name) => this.#group(name).clients).filter((c) => c.spec.topic !== undefined);
    const late = 'no SUBACK in time';
    const results = await Promise.all(clients.map((c) => bounded(SUBACK_LIMIT_MS, c.subscribe(), late)));
    const problems = new Map<string, number>();
    for (const r of results) if (r !== undefined) problems.set(r, (problems.get(r) ?? 0) + 1);
    if (problems.size === 0) return undefined;
    return [...problems].map(([why, n]) => `${n} of ${clients.length}: ${why}`).join('; ');
  }

  async #publish(phase: PublishPhase): Promise<string | undefined> {
    const from = this.#group(phase.from);
    const toTopic = this.#init.topics[phase.to];
    const toSize = this.#init.groupSizes[phase.to];
    if (toTopic === undefined || toSize === undefined) throw new Error(`publish: group "${phase.to}" has no subscriber topic`);
    const group = this.#groupNames.indexOf(phase.from);
    from.publishers ??= from.clients.map((client) => ({
      client,
      ref: client.spec.ref,
      index: client.spec.index,
      group,
      nextSeq: new Map<string, number>(),
      sent: 0,
      settled: 0,
    }));
    return runPublishPhase(phase, from.publishers, {
      protocol: this.#init.protocol,
      invocation: this.#init.invocation,
      fromSize: this.#init.groupSizes[phase.from] ?? from.clients.length,
      toSize,
      topicOf: (t) => resolveIndex(toTopic, t),
      runs: this.#sentRuns,
      sentTo: this.#groups.get(phase.to)?.sentTo ?? { count: 0 },
    });
  }

  async #disconnect(names: string[], mode: 'graceful' | 'abrupt'): Promise<undefined> {
    await Promise.all(names.flatMap((name) => this.#group(name).clients.map((c) => c.disconnect(mode))));
    return undefined;
  }
}
