import {
  MemoryApplicationRecorder,
  MemoryProcessRecorder,
  MemoryTrackingRecorder,
} from '../../src/memory/index.js';
import type { Tracking } from '../../src/persistence/stored-event.js';
import {
  type CountingView,
  recordBatchContract,
  subscriptionPagesContract,
} from '../../src/testing/index.js';

/** A counting view in memory. */
class MemoryCountingView extends MemoryTrackingRecorder implements CountingView {
  refuseClear = false;
  private readonly counts = new Map<string, number>();

  increment(name: string, tracking: Tracking): Promise<void> {
    return this.transaction(tracking, () => {
      this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    });
  }

  async count(name: string): Promise<number> {
    return this.counts.get(name) ?? 0;
  }

  protected override clear(): void {
    if (this.refuseClear) super.clear();
    this.counts.clear();
  }
}

subscriptionPagesContract(() => new MemoryApplicationRecorder());
subscriptionPagesContract(() => new MemoryProcessRecorder());
recordBatchContract(() => new MemoryCountingView(), { rollsBack: false });
