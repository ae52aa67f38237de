/**
 * How `mqtt-chaos run` gets its agents, if asked for any: N local agent processes joining
 * a loopback listener on a free port (`--agents N`), or remote ones joining `--listen
 * HOST:PORT` until `--expect-agents N` have (the token from MQTT_CHAOS_TOKEN, required).
 */
import { AgentFleet } from './agent-fleet.js';
import { localToken, startLocalAgents, type LocalAgents } from './local-agents.js';

export type AgentsRequest = { kind: 'local'; count: number } | { kind: 'listen'; host: string; port: number; expect: number; token: string };

export interface Agents {
  fleet: AgentFleet;
  /** PIDs of local agent processes (none for remote agents). */
  pids: readonly number[];
  stop(): Promise<void>;
}

export async function bringUpAgents(request: AgentsRequest, log: (line: string) => void, signal: AbortSignal): Promise<Agents> {
  if (request.kind === 'listen') {
    const fleet = await AgentFleet.gather({ host: request.host, port: request.port, token: request.token, expect: request.expect, log, signal });
    return { fleet, pids: [], stop: () => fleet.close() };
  }
  const token = localToken();
  let local: LocalAgents | undefined;
  let giveUp!: (err: unknown) => void;
  const exitedEarly = new Promise<never>((_, reject) => (giveUp = reject));
  try {
    const fleet = await AgentFleet.gather({
      host: '127.0.0.1',
      port: 0,
      token,
      expect: request.count,
      log,
      signal,
      onListening: (port) => {
        local = startLocalAgents(request.count, port, token, log);
        local.exited.catch(giveUp);
      },
      giveUp: exitedEarly,
    });
    return {
      fleet,
      pids: local!.pids,
      stop: async () => {
        await fleet.close();
        await local?.stop();
      },
    };
  } catch (err) {
    await local?.stop();
    throw err;
  }
}
