// The bench's timing helpers: the pool keeps at most N tasks in flight on distinct items, and a
// repeated phase reports its median rate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { median, medianRatePerSecond, runPool } from '../../bench/pool.js';

describe('bench pool helpers', () => {
  it('runPool runs every index once, never more than inFlight at a time', async () => {
    const seen: number[] = [];
    let running = 0;
    let most = 0;
    await runPool(3, 10, async (i) => {
      running++;
      most = Math.max(most, running);
      await sleep(1);
      seen.push(i);
      running--;
    });
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      [...Array(10).keys()],
    );
    assert.equal(most, 3);
  });

  it('medianRatePerSecond runs the phase once per pass and reports the median rate', async () => {
    const durations = [80, 2, 20];
    let pass = 0;
    const rate = await medianRatePerSecond(3, 100, async () => {
      await sleep(durations[pass++]!);
    });
    assert.equal(pass, 3);
    // The median pass sleeps 20 ms: at most 5,000/s (the 2-ms pass would give up to 50,000/s),
    // and more than the 80-ms pass could give (at most 1,250/s).
    assert.ok(rate <= 100 / 0.02 && rate > 100 / 0.079, String(rate));
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });
});
