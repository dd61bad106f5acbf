import SMTPConnection from 'nodemailer/lib/smtp-connection';

/**
 * Child process of bench/bounces: plays the remote MTAs, sending the DSNs it is given to the
 * bounce listener over `lanes` SMTP sessions, so their CPU is not counted as the service's.
 * A batch is loaded first and sent on a second message, so handing it over (IPC) happens
 * outside the measured window.
 */
export type SenderCommand = { type: 'load'; port: number; lanes: number; messages: Array<{ to: string; raw: string }> } | { type: 'send' } | { type: 'exit' };
export type SenderReply = { type: 'loaded' } | { type: 'sent'; ok: boolean; error?: string };

function open(port: number): Promise<SMTPConnection> {
  const connection = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true, socketTimeout: 60_000 });
  return new Promise((resolve, reject) => {
    connection.once('error', reject);
    connection.connect(() => resolve(connection));
  });
}

function send(connection: SMTPConnection, to: string, raw: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    connection.send({ from: '', to: [to] }, raw, (error) => (error ? reject(error) : resolve()));
  });
}

function reset(connection: SMTPConnection): Promise<void> {
  return new Promise((resolve, reject) => connection.reset((error) => (error ? reject(error) : resolve())));
}

async function sendAll(port: number, lanes: number, messages: Array<{ to: string; raw: Buffer }>): Promise<void> {
  let next = 0;
  const lane = async () => {
    const connection = await open(port);
    while (next < messages.length) {
      const message = messages[next++];
      await send(connection, message.to, message.raw);
      await reset(connection);
    }
    connection.quit();
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

let loaded: { port: number; lanes: number; messages: Array<{ to: string; raw: Buffer }> } | undefined;

process.on('message', (command: SenderCommand) => {
  const reply = (message: SenderReply) => process.send?.(message);
  switch (command.type) {
    case 'load':
      loaded = { port: command.port, lanes: command.lanes, messages: command.messages.map(({ to, raw }) => ({ to, raw: Buffer.from(raw) })) };
      return reply({ type: 'loaded' });
    case 'send': {
      const batch = loaded;
      if (!batch) return reply({ type: 'sent', ok: false, error: 'nothing loaded' });
      sendAll(batch.port, batch.lanes, batch.messages).then(
        () => reply({ type: 'sent', ok: true }),
        (error: Error) => reply({ type: 'sent', ok: false, error: error.message }),
      );
      return;
    }
    case 'exit':
      process.exit(0);
  }
});
