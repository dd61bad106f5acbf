import { AddressInfo, createServer, Server, Socket } from 'node:net';
import { CoalescingSocket } from '../../../src/mail/coalescing-socket';
import { eventually } from '../../support/app';

// Over real loopback TCP: what one turn of the event loop writes reaches the kernel in one call, every byte in order.

describe(CoalescingSocket.name, () => {
  let server: Server;
  let peer: Socket | undefined;
  let received: string;
  const clients: Socket[] = [];

  beforeAll(async () => {
    server = createServer((socket) => {
      peer = socket;
      socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(() => {
    // Also when an assertion failed first: the server only closes once its connections are gone.
    for (const client of clients.splice(0)) client.destroy();
    peer?.destroy();
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  async function connected(): Promise<CoalescingSocket> {
    received = '';
    peer = undefined;
    const socket = new CoalescingSocket();
    clients.push(socket);
    await new Promise<void>((resolve) => socket.connect((server.address() as AddressInfo).port, '127.0.0.1', resolve));
    await eventually(async () => peer);
    return socket;
  }

  /** Each call that hands bytes to the kernel: one chunk through _write, several through _writev. */
  function kernelWrites(socket: Socket): number[] {
    const calls: number[] = [];
    const target = socket as unknown as { _write: (...args: unknown[]) => void; _writev: (chunks: unknown[], ...rest: unknown[]) => void };
    const write = target._write.bind(socket);
    const writev = target._writev.bind(socket);
    target._write = (...args) => {
      calls.push(1);
      write(...args);
    };
    target._writev = (chunks, ...rest) => {
      calls.push(chunks.length);
      writev(chunks, ...rest);
    };
    return calls;
  }

  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it('sends what one turn of the event loop writes in one call, in order', async () => {
    const socket = await connected();
    const calls = kernelWrites(socket);

    // As nodemailer ends a message: the body, then the dot from a stream a few nextTicks later.
    socket.write('MESSAGE BODY\r\n');
    process.nextTick(() => process.nextTick(() => socket.write(Buffer.from('.\r\n'))));
    await nextTurn();
    socket.write('QUIT\r\n', 'latin1', () => undefined);
    await nextTurn();

    expect(calls).toEqual([2, 1]);
    await eventually(async () => (received === 'MESSAGE BODY\r\n.\r\nQUIT\r\n' ? true : undefined));
  });

  it('leaves a cork of its user in place until the user uncorks', async () => {
    const socket = await connected();
    const calls = kernelWrites(socket);

    socket.cork();
    socket.write('MAIL FROM:<a@example.org>\r\n');
    socket.write('RCPT TO:<b@example.org>\r\n');
    await nextTurn();
    expect(calls).toEqual([]);
    socket.uncork();

    expect(calls).toEqual([2]);
    await eventually(async () => (received === 'MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n' ? true : undefined));
  });
});
