import { hostWritesDrained } from '@crossrt/runtime';

/**
 * Hands out event-loop turns one at a time: each `next()` resolves on a later turn than the one
 * before it (a setImmediate chained on the previous), so synchronous work done after each (reading
 * and decoding one case) leaves a poll phase in between, where host replies and IPC writes run.
 *
 * Why: a run keeps many cases in flight, and without this every lane's read ran back to back in one
 * turn: on the real-model set the first batch left for the host only after 9 models had been decoded
 * (~0.4 s with the host idle), and between batches the host waited while this process compared the
 * last batch's outputs. Each turn also waits until no host request is half-written: a request
 * larger than the socket buffer moves one piece per turn, so a busy loop starves the host of its feeds.
 */
export class LoopTurns {
  private tail: Promise<void> = Promise.resolve();

  next(): Promise<void> {
    const turn = this.tail.then(hostWritesDrained).then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    this.tail = turn;
    return turn;
  }
}
