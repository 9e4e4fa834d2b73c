import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryFactory, MemoryTrackingRecorder } from '../../src/memory/index.js';
import { IntegrityError } from '../../src/persistence/errors.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import { Environment } from '../../src/utils/environment.js';

/** A user's view: counts events per name, each count recorded with its tracking. */
class CountsView extends MemoryTrackingRecorder {
  private readonly counts = new Map<string, number>();

  increment(name: string, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, () => {
      if (name === '') throw new TypeError('name must not be empty');
      this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    });
  }

  async count(name: string): Promise<number> {
    return this.counts.get(name) ?? 0;
  }
}

describe('a memory view', () => {
  const tracking = (notificationId: number): Tracking => ({
    applicationName: 'Upstream',
    notificationId,
  });

  it('records its change and the tracking together', async () => {
    const view = new MemoryFactory(new Environment()).trackingRecorder(CountsView);
    await view.increment('a', tracking(1));
    await view.increment('a', tracking(2));
    assert.equal(await view.count('a'), 2);
    assert.equal(await view.maxTrackingId('Upstream'), 2);
  });

  it('refuses a tracking already recorded without running the change', async () => {
    const view = new CountsView();
    await view.increment('a', tracking(5));
    await assert.rejects(view.increment('a', tracking(5)), IntegrityError);
    await assert.rejects(view.increment('a', tracking(4)), IntegrityError);
    assert.equal(await view.count('a'), 1);
    assert.equal(await view.maxTrackingId('Upstream'), 5);
  });

  it('records no tracking when the change throws', async () => {
    const view = new CountsView();
    await assert.rejects(view.increment('', tracking(1)), TypeError);
    assert.equal(await view.maxTrackingId('Upstream'), null);
    await view.increment('b', tracking(1));
    assert.equal(await view.count('b'), 1);
  });

  it('settles a wait for the tracking it records', async () => {
    const view = new CountsView();
    const waited = view.wait('Upstream', 3, { timeout: 5000 });
    await view.increment('a', tracking(3));
    await waited;
  });
});
