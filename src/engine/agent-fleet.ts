/**
 * The coordinator's agents for one invocation: it listens, admits agents that prove the
 * token until it has the number expected (refusing the rest, and every wrong token, with a
 * line on both sides), measures each one's clock offset, and for each run deals the
 * run's shards out to them in contiguous blocks. At the end every agent is told `bye`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { HarnessError } from '../errors.js';
import type { ShardInit } from '../workers/protocol.js';
import { AgentConnection } from './agent-connection.js';
import { measureClockOffset, type ClockOffset } from './agent-clock.js';
import type { AgentShare } from './agent-pool.js';

export interface GatherOptions {
  host: string;
  port: number;
  token: string;
  expect: number;
  log: (line: string) => void;
  signal: AbortSignal;
  /** Called with the port actually bound (port 0 picks a free one), before any agent can join. */
  onListening?: (port: number) => void;
  /** Rejects when the wait is pointless (a local agent exited): ends the gathering. */
  giveUp?: Promise<never>;
}

export interface JoinedAgent {
  connection: AgentConnection;
  /** Measured at join, and again at the start of every run (clocks of two hosts drift apart). */
  clock: ClockOffset;
}

export class AgentFleet {
  private constructor(
    private readonly server: Server,
    /** Every socket accepted and still open: the agents', and peers still in (or past) a handshake. */
    private readonly sockets: Set<Socket>,
    readonly agents: readonly JoinedAgent[],
    private readonly log: (line: string) => void,
  ) {}

  static async gather(options: GatherOptions): Promise<AgentFleet> {
    const { log } = options;
    const joined: JoinedAgent[] = [];
    const sockets = new Set<Socket>();
    let all!: () => void;
    const complete = new Promise<void>((resolve) => (all = resolve));
    // Places are taken only by agents that proved the token; one lost while its clock is measured frees its place.
    let admitted = 0;
    let numbered = 0;
    const claim = (): number | undefined => {
      if (admitted >= options.expect) return undefined;
      admitted++;
      return ++numbered;
    };
    const full = `the run already has the ${options.expect} agent${options.expect === 1 ? '' : 's'} it expected`;
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      void AgentConnection.accept(socket, options.token, claim, full).then(async (accepted) => {
        if (!(accepted instanceof AgentConnection)) {
          log(`agents: refused ${accepted.refused}`);
          return;
        }
        try {
          const clock = await measureClockOffset(accepted);
          joined.push({ connection: accepted, clock });
          log(`agents: ${accepted.name} joined from ${accepted.info.address} (${joined.length}/${options.expect}; clock offset ${clock.offsetMs.toFixed(3)} ms ± ${clock.uncertaintyMs.toFixed(3)} ms)`);
          if (joined.length === options.expect) all();
        } catch (err) {
          admitted--;
          log(`agents: ${accepted.name} lost while its clock was measured: ${err instanceof Error ? err.message : String(err)}`);
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new HarnessError('E_LISTEN', `--listen ${options.host}:${options.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`)),
      );
      server.listen(options.port, options.host, () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    options.onListening?.(port);
    log(`agents: waiting for ${options.expect} on ${options.host}:${port}`);
    const aborted = new Promise<never>((_, reject) => {
      if (options.signal.aborted) reject(options.signal.reason);
      options.signal.addEventListener('abort', () => reject(options.signal.reason), { once: true });
    });
    try {
      await Promise.race([complete, aborted, ...(options.giveUp ? [options.giveUp] : [])]);
    } catch (err) {
      for (const { connection } of joined) connection.bye();
      for (const socket of sockets) socket.destroy();
      server.close();
      throw err;
    }
    joined.sort((a, b) => a.connection.info.agent - b.connection.info.agent);
    return new AgentFleet(server, sockets, joined, log);
  }

  get size(): number {
    return this.agents.length;
  }

  /** Each agent's clock offset again; an agent that does not answer keeps its last one (its loss shows when the run starts). */
  async measureClocks(): Promise<void> {
    await Promise.all(
      this.agents.map(async (joined) => {
        joined.clock = await measureClockOffset(joined.connection).catch(() => joined.clock);
      }),
    );
  }

  /** Agent k gets shards [k·n/N …): contiguous blocks, as even as the count allows. */
  deal(inits: readonly ShardInit[]): AgentShare[] {
    const n = this.agents.length;
    const base = Math.floor(inits.length / n);
    const extra = inits.length % n;
    let next = 0;
    return this.agents.map(({ connection, clock }, k) => {
      const take = base + (k < extra ? 1 : 0);
      const mine = inits.slice(next, next + take);
      next += take;
      return { agent: connection, clock, inits: mine };
    });
  }

  /** Every agent is told the invocation is over; the listener closes. */
  async close(): Promise<void> {
    for (const { connection } of this.agents) connection.bye();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // The agents end their links after `bye`; a peer still in a handshake is not waited for.
    const agentSockets = new Set(this.agents.map((a) => a.connection.socketOf()));
    for (const socket of this.sockets) if (!agentSockets.has(socket)) socket.destroy();
    await closed;
    this.log(`agents: ${this.agents.length} told to stop`);
  }
}
