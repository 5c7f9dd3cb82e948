import { describe, expect, it } from 'vitest';
import { LoopTurns } from './loop-turns.js';

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('LoopTurns', () => {
  it('resolves waiters in order, each on a later event-loop turn: a callback that became due meanwhile runs in between', async () => {
    const turns = new LoopTurns();
    const events: string[] = [];
    await Promise.all(
      [0, 1, 2].map((i) =>
        turns.next().then(() => {
          events.push(`turn ${i}`);
          if (i === 0) {
            // Due before this turn ends: the loop's timers phase runs it before the next check phase.
            setTimeout(() => events.push('timer'), 0);
            busyWait(5);
          }
        }),
      ),
    );
    expect(events).toEqual(['turn 0', 'timer', 'turn 1', 'turn 2']);
  });

  it('without it, immediates queued together run back to back in one turn (what the gate prevents)', async () => {
    const events: string[] = [];
    await Promise.all(
      [0, 1].map((i) =>
        new Promise<void>((r) => setImmediate(r)).then(() => {
          events.push(`turn ${i}`);
          if (i === 0) {
            setTimeout(() => events.push('timer'), 0);
            busyWait(5);
          }
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 5));
    expect(events).toEqual(['turn 0', 'turn 1', 'timer']);
  });
});
