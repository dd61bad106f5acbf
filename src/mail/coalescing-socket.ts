import { Socket } from 'node:net';

type WriteCallback = (error?: Error | null) => void;

/**
 * A TCP socket that sends what is written to it in one tick as one segment.
 * nodemailer writes a message and the dot that ends it separately, in the same
 * tick: two system calls and two packets per email, where one does. Corked at the
 * first write of a tick and uncorked after it, they leave in one writev.
 */
export class CoalescingSocket extends Socket {
  override write(chunk: Uint8Array | string, encodingOrCallback?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean {
    if (this.writableCorked === 0) {
      this.cork();
      process.nextTick(() => this.uncork());
    }
    return typeof encodingOrCallback === 'function' ? super.write(chunk, encodingOrCallback) : super.write(chunk, encodingOrCallback, callback);
  }
}
