import type { ChildProcess } from 'node:child_process';

/**
 * Requests still being written to a host's IPC channel. A message larger than the socket's buffer
 * (~200 KB: the feeds of a CNN case, a batch of them) leaves in pieces, one piece per turn of this
 * process's event loop; while this process runs synchronous work (decoding the next case, comparing
 * outputs), the host waits for the rest of its request. Measured on the real-model set: a 1.2 MB
 * batch took 170 ms to arrive while the harness decoded cases, 3.5 MB between batches 76 ms, against
 * a few ms with the loop free. Callers that are about to run such work await hostWritesDrained().
 */
let writing = 0;
let waiters: (() => void)[] = [];

/** Send `message` to a host, counted until it is written (or has failed to be). */
export function sendToHost(child: ChildProcess, message: unknown): void {
  writing++;
  const settled = (): void => {
    if (--writing > 0) return;
    const ready = waiters;
    waiters = [];
    for (const w of ready) w();
  };
  // Node calls back once the whole message is in the kernel's hands, or with the error that stopped
  // it (a closed channel, a host that died mid-write): always exactly once.
  child.send(message as never, settled);
}

/** Resolves once no host request is left half-written (at once when none is). */
export function hostWritesDrained(): Promise<void> {
  return writing === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve));
}
