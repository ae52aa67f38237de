/**
 * The handshake holds both ways: a peer without the token posing as the coordinator (it
 * got the agent's proof, but cannot prove anything over the agent's own nonce) is refused
 * by the agent before it acts on anything it sends — here a start command that would aim
 * clients at a host of the impostor's choosing.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { runAgent } from '../../../src/engine/agent.js';
import { FrameReader, readJson, writeCloned, writeJson } from '../../../src/net/frames.js';
import { newChallenge, proofMatches, type Hello } from '../../../src/workers/agent-protocol.js';
import { useTeardown } from '../../helpers/teardown.js';

describe('agents: an impostor coordinator', () => {
  it('a welcome without the coordinator\'s proof is refused; the agent acts on nothing', async (t) => {
    const td = useTeardown(t);
    const hellos: Hello[] = [];
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      const challenge = newChallenge();
      const reader = new FrameReader(1 << 16);
      writeJson(socket, challenge);
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        for (const frame of reader.push(chunk)) {
          const hello = readJson(frame) as Hello;
          hellos.push(hello);
          // It cannot check the proof (no token), and it cannot make its own: it tries anyway.
          writeJson(socket, { kind: 'welcome', agent: 1, proof: hello.proof });
          writeCloned(socket, { kind: 'start', id: 1, inits: [], clockOffsetMs: 0 });
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    td.add('impostor server', () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const lines: string[] = [];
    const end = await runAgent({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, token: 'the-real-token', log: (l) => void lines.push(l), signal: new AbortController().signal });
    assert.deepEqual(end, { kind: 'refused', reason: `127.0.0.1:${(server.address() as AddressInfo).port} could not prove it holds MQTT_CHAOS_TOKEN: not our coordinator` });
    assert.deepEqual(lines, [], 'it never joined, never started a shard');
    assert.equal(hellos.length, 1);
    assert.equal(proofMatches('the-real-token', hellos[0]!.nonce, hellos[0]!.proof, 'coordinator'), false, "the agent's own proof does not pass as the coordinator's");
  });
});
