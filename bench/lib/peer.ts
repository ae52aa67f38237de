import { createServer } from 'node:net';

/**
 * A TCP peer for benchmarks, run as its own process so it does not share an event loop
 * with the code under measurement: `echo` returns every byte, `sink` discards them.
 * Prints its port on stdout; exits when its parent goes (stdin closes).
 */
const mode = process.argv[2];
const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  if (mode === 'echo') socket.pipe(socket);
  else socket.resume();
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address && typeof address === 'object') process.stdout.write(`${address.port}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
