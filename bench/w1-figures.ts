/** The W1 workload's sizes and the figures one run of it produces. */

/** The sizes of one W1 run. */
export interface W1Options {
  /** Dogs registered (one event each). */
  readonly dogs: number;
  /** Rounds of get + addTrick + save per dog. */
  readonly tricks: number;
  /** Commands in flight at once, each on a distinct dog. */
  readonly inFlight: number;
  /** Rows per page when reading the notification log or the stored rows. */
  readonly pageSize: number;
}

/** What the library does in one W1 run, per second. */
export interface LibraryW1Figures {
  register_per_s: number;
  command_per_s: number;
  get_per_s: number;
  /** Notifications read through the notification log and decoded into domain events. */
  notifications_per_s: number;
  /**
   * Diagnostic: saves per call of the write function, when the recorder counts its calls
   * (`insertCalls`, PostgreSQL's group commit); null otherwise.
   */
  saves_per_write_call: number | null;
}

/** What the bare driver does in one W1 run, per second. */
export interface RawW1Figures {
  register_per_s: number;
  command_per_s: number;
  get_per_s: number;
  /** Stored rows read in pages (not decoded). */
  read_per_s: number;
}

/** Reports a phase's progress (on stderr). */
export type Progress = (message: string) => void;
