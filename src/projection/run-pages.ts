import type { Tracking } from '../persistence/stored-event.js';
import { instrumentation } from '../telemetry/instrumentation.js';
import type {
  ApplicationSubscription,
  ApplicationSubscriptionPage,
  TrackedEvent,
} from './application-subscription.js';
import type { ChunkProcessor } from './chunk-processor.js';
import { isTransient } from './is-transient.js';

/** Options of `runPages`. */
export interface RunPagesOptions {
  /** The most events per transaction. */
  readonly batchSize: number;
  /** The position the subscription starts after (null: the beginning). */
  readonly from: number | null;
  /** Whether the runner is stopping (checked between transactions). */
  readonly isStopped: () => boolean;
  /** Told when a chunk failed but processing its events one by one succeeded. */
  readonly onRecovered: (error: unknown) => void;
  /** Told after each committed transaction, with the position it recorded. */
  readonly onProgress: (tracking: Tracking) => void;
  /** The projection's or follower's name, for the processing spans and metrics. */
  readonly consumer?: string;
  /** The upstream application's name, for the processing spans and metrics. */
  readonly upstream?: string;
}

type Read =
  | { readonly page: ApplicationSubscriptionPage | null }
  | { readonly page?: undefined; readonly error: unknown };

function read(subscription: ApplicationSubscription): Promise<Read> {
  return subscription.nextPage().then(
    (page) => ({ page }),
    (error: unknown) => ({ error }),
  );
}

/**
 * The processing loop of the runners: reads pages of the subscription, keeping the read of the
 * next page in flight while the current one is processed, and processes each page in chunks
 * of at most `batchSize` events, each chunk one transaction ending with its tracking (the
 * last chunk of a page gets the page's position, which counts events filtered out). Resolves
 * when the subscription ends (it was stopped); rejects with the first error it cannot get
 * past. A chunk that fails with an error that is not transient is processed again one event
 * per transaction from the view's recorded position, so that the view stands right before the
 * failing event and the error is the one met at that event.
 *
 * The read in flight when it rejects is left to the subscription: stopping it settles it.
 *
 * @internal
 */
export async function runPages(
  subscription: ApplicationSubscription,
  processor: ChunkProcessor,
  options: RunPagesOptions,
): Promise<void> {
  const { batchSize, isStopped } = options;
  let position = options.from ?? 0;
  let next = read(subscription);
  while (!isStopped()) {
    const result = await next;
    if (result.page === undefined) throw result.error;
    const page = result.page;
    if (page === null || isStopped()) return;
    next = read(subscription);
    const { items, tracking } = page;
    if (items.length === 0 && tracking.notificationId <= position) continue;
    for (let start = 0; start < items.length || start === 0; start += batchSize) {
      if (isStopped()) return;
      const end = Math.min(start + batchSize, items.length);
      const chunk = start === 0 && end === items.length ? items : items.slice(start, end);
      const chunkTracking: Tracking = end === items.length ? tracking : items[end - 1]![1];
      await processChunk(processor, chunk, chunkTracking, options);
      options.onProgress(chunkTracking);
      if (end === items.length) break;
    }
    position = tracking.notificationId;
  }
}

function processChunk(
  processor: ChunkProcessor,
  chunk: ReadonlyArray<TrackedEvent>,
  tracking: Tracking,
  options: RunPagesOptions,
): Promise<void> {
  const telemetry = instrumentation.current;
  if (telemetry?.enabled && chunk.length > 0) {
    const batch = {
      consumer: options.consumer ?? 'unknown',
      upstream: options.upstream ?? tracking.applicationName,
      items: chunk,
      count: chunk.length,
      firstId: chunk[0]![1].notificationId,
      lastId: chunk[chunk.length - 1]![1].notificationId,
      trackingId: tracking.notificationId,
      root: true,
    };
    return telemetry.traceBatch(batch, () => processChunkNow(processor, chunk, tracking, options));
  }
  return processChunkNow(processor, chunk, tracking, options);
}

async function processChunkNow(
  processor: ChunkProcessor,
  chunk: ReadonlyArray<TrackedEvent>,
  tracking: Tracking,
  options: RunPagesOptions,
): Promise<void> {
  try {
    await processor.processChunk(chunk, tracking);
    return;
  } catch (error) {
    if (isTransient(error) || !processor.atomic || chunk.length <= 1) throw error;
    // Rolled back (or, per event, partly done): again one event per transaction from where
    // the view stands, to meet the error at its event, or get past it.
    const max = (await processor.maxTrackingId()) ?? 0;
    for (const item of chunk) {
      if (item[1].notificationId > max) await processor.processOne(item);
    }
    if (tracking.notificationId > Math.max(max, chunk[chunk.length - 1]![1].notificationId)) {
      await processor.processChunk([], tracking);
    }
    options.onRecovered(error);
  }
}
