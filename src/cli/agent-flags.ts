/** `run --agents N` / `--listen HOST:PORT --expect-agents N` into an AgentsRequest, or one clear line. */
import type { AgentsRequest } from '../engine/agents-setup.js';
import { HarnessError } from '../errors.js';
import { isLoopbackAddress, splitHostPort } from '../net/loopback.js';
import { TOKEN_ENV } from '../workers/agent-protocol.js';

export interface AgentArgs {
  agents?: number;
  listen?: string;
  'expect-agents'?: number;
  'allow-remote'?: boolean;
}

/** HOST:PORT of --listen or --join, checked; `flag` names it in the message. */
export function hostPort(value: string, flag: string): { host: string; port: number } {
  const parts = splitHostPort(value);
  const port = Number(parts?.port);
  if (!parts || parts.host === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new HarnessError('E_USAGE', `${flag} ${value}: write HOST:PORT, e.g. 127.0.0.1:7883`);
  }
  return { host: parts.host, port };
}

function positive(value: number | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > 1024) throw new HarnessError('E_USAGE', `${flag} ${value}: write a whole number from 1 to 1024`);
  return value;
}

export function agentsRequest(argv: AgentArgs, env: NodeJS.ProcessEnv = process.env): AgentsRequest | undefined {
  const agents = positive(argv.agents, '--agents');
  const expect = positive(argv['expect-agents'], '--expect-agents');
  if (agents !== undefined && argv.listen !== undefined) throw new HarnessError('E_USAGE', '--agents starts local agents, --listen waits for remote ones: use one of them');
  if (agents !== undefined) return { kind: 'local', count: agents };
  if (argv.listen === undefined) {
    if (expect !== undefined) throw new HarnessError('E_USAGE', '--expect-agents needs --listen HOST:PORT for the agents to join');
    return undefined;
  }
  if (expect === undefined) throw new HarnessError('E_USAGE', `--listen ${argv.listen}: say how many agents to wait for with --expect-agents N`);
  const { host, port } = hostPort(argv.listen, '--listen');
  if (host !== 'localhost' && !isLoopbackAddress(host) && argv['allow-remote'] !== true) {
    throw new HarnessError('E_REMOTE_TARGET', `--listen ${argv.listen}: agents would join from outside loopback; add --allow-remote to listen there`);
  }
  const token = env[TOKEN_ENV];
  if (!token) throw new HarnessError('E_USAGE', `--listen: set ${TOKEN_ENV} to the token the agents join with (the same on every agent)`);
  return { kind: 'listen', host, port, expect, token };
}
