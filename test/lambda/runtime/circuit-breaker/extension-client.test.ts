/**
 * The client of the extension's localhost state server, against a raw TCP server that plays a keep-alive socket
 * closed while the environment was frozen: the next request on it meets a reset.
 */
import { createServer, Socket } from 'node:net';
import { ExtensionStateClient } from '../../../../lambda/runtime/circuit-breaker/extension-client';

function answer(socket: Socket, id: string): void {
  const body = JSON.stringify({ record: { id, state: 'OPEN', version: 3, consecutiveOpenings: 0, successCount: 0 }, fetchedAt: 1_000 });
  socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`);
}

test('a request on a kept-alive socket that the extension closed while idle is sent again, once, on a new connection', async () => {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    let requests = 0;
    socket.on('data', (chunk) => {
      if (!chunk.toString().includes('\r\n\r\n')) return;
      // The first request on each connection is answered; the next one finds the socket reset, as after a freeze
      // longer than the server's keep-alive timeout.
      if (++requests === 1) answer(socket, 'quotes');
      else socket.resetAndDestroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const client = new ExtensionStateClient(port, 1_000);
  try {
    await expect(client.read('quotes')).resolves.toMatchObject({ record: { state: 'OPEN' } });
    await expect(client.read('quotes')).resolves.toMatchObject({ record: { state: 'OPEN' }, fetchedAt: 1_000 });
    expect(connections).toBe(2);
  } finally {
    client.close();
    await new Promise((r) => server.close(r));
  }
});

test('a reset on a new connection is not retried: the extension is really down', async () => {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.on('data', () => socket.resetAndDestroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = new ExtensionStateClient((server.address() as { port: number }).port, 1_000);
  try {
    await expect(client.read('quotes')).rejects.toThrow();
    expect(connections).toBe(1);
  } finally {
    client.close();
    await new Promise((r) => server.close(r));
  }
});
