import { Socket } from 'node:net';

/**
 * A TCP socket that sends what is written to it in one turn of the event loop
 * as one segment. nodemailer writes a message and then the dot that ends it
 * (through a piped stream, a chain of nextTicks): two system calls and two
 * packets per email, where one does. The first write of a turn corks the socket
 * until setImmediate, after that chain, so they leave in one writev.
 */
export class CoalescingSocket extends Socket {
  constructor() {
    super();
    // Not an overriding method: net.Socket.connect() puts the prototype's write on the
    // instance (to undo an ended connection's), which would shadow it once connected.
    this.once('connect', () => {
      const write = this.write;
      this.write = ((...args: Parameters<Socket['write']>) => {
        if (this.writableCorked === 0) {
          this.cork();
          setImmediate(() => this.uncork());
        }
        return write.apply(this, args);
      }) as Socket['write'];
    });
  }
}
