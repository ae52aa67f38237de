/**
 * Entry of the embedded Aedes broker, forked by aedes.ts. A process of its own so that the
 * broker's memory is measurable apart from the harness and it can be stopped by PID.
 * Aedes speaks MQTT 3.1.1 only: it answers a v5 CONNECT with return code 1.
 */
import { createServer } from 'node:net';
import { Aedes } from 'aedes';

export interface AedesReady {
  type: 'listening';
  port: number;
  version: string;
}

if (!process.send) {
  process.stderr.write('aedes-child: start me with child_process.fork (I report my port over IPC)\n');
  process.exit(2);
}

// The parent died or let go of us: no orphan broker stays behind.
process.on('disconnect', () => process.exit(0));

const aedes = await Aedes.createBroker();
const server = createServer(aedes.handle);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const ready: AedesReady = {
    type: 'listening',
    port: typeof address === 'object' && address !== null ? address.port : 0,
    // A getter Aedes has but its typings omit.
    version: String((aedes as unknown as { version?: string }).version ?? 'unknown'),
  };
  process.send?.(ready);
});
