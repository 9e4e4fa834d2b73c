/** The most reads one combined statement serves. */
const MAX_BATCH = 100;

interface Waiting<T> {
  readonly key: string;
  readonly resolve: (value: T) => void;
  readonly reject: (reason: unknown) => void;
}

/**
 * Combines reads by key into one statement while the connections are busy, as group commit does
 * for writes. Up to `concurrency` reads run on their own, so that reads cost what they did when
 * there are connections to spare; a read that would only wait for a connection waits here
 * instead, and when a running read ends, every read waiting by then (up to 100) is served by
 * one statement. Waiting reads are served in the order they came.
 */
export class ReadBatcher<T> {
  private readonly concurrency: number;
  private readonly readOne: (key: string) => Promise<T>;
  private readonly readMany: (keys: readonly string[]) => Promise<T[]>;
  private running = 0;
  private waiting: Waiting<T>[] = [];

  /**
   * @param concurrency statements to run at once (the connections reads may use).
   * @param readOne reads one key.
   * @param readMany reads several keys in one statement; resolves to their values in the same
   *   order (a key given twice gets a value for each place).
   */
  constructor(
    concurrency: number,
    readOne: (key: string) => Promise<T>,
    readMany: (keys: readonly string[]) => Promise<T[]>,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`ReadBatcher needs a concurrency of at least 1, got ${concurrency}.`);
    }
    this.concurrency = concurrency;
    this.readOne = readOne;
    this.readMany = readMany;
  }

  /** The value of `key`, read on its own or with other reads waiting at the same time. */
  read(key: string): Promise<T> {
    if (this.running < this.concurrency && this.waiting.length === 0) {
      this.running++;
      return this.readOne(key).finally(this.ended);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ key, resolve, reject });
    });
  }

  private readonly ended = (): void => {
    this.running--;
    while (this.waiting.length > 0 && this.running < this.concurrency) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      this.running++;
      const first = batch[0]!;
      const values =
        batch.length === 1
          ? this.readOne(first.key).then((value) => [value])
          : this.readMany(batch.map((w) => w.key));
      values
        .then(
          (results) => {
            for (let i = 0; i < batch.length; i++) batch[i]!.resolve(results[i]!);
          },
          (error: unknown) => {
            for (const w of batch) w.reject(error);
          },
        )
        .finally(this.ended);
    }
  };
}
