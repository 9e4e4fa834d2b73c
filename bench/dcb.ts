/**
 * The `dcb` entries of `npm run bench` on one backend (issue 15): dcb.events' course-subscription
 * workload on the library's DCB recorder (`factory.dcbRecorder()`), beside the bare driver doing
 * the same storage work (raw-dcb.ts), in the same run.
 *
 * Per run, on fresh storage: D courses are defined (capacity 10; untimed, unconditional appends
 * of 500), then T rounds of D subscription commands, `inFlight` at once: in round r, student i
 * subscribes to course (i + r) mod D, so the commands of a round work on distinct students and
 * distinct courses. Each command reads its consistency boundary with one read (the course's
 * definition, capacity changes and subscriptions, by the course's tag; the student's
 * subscriptions, by the student's tag), decodes the events and decides (the course exists, is
 * not full, the student is not subscribed to it already and to fewer than 5 courses), then
 * appends one `StudentSubscribedToCourse` event tagged with both under its condition: no event
 * matching the same query after the read's head. `append_per_s` counts the committed appends
 * over the time from the first command to the last one's append settling. Then every student's
 * boundary with its first course is read, `inFlight` at once, three times (`read_per_s`, the
 * median pass), and checked.
 */
import { randomUUID } from 'node:crypto';
import { Environment, InfrastructureFactory, IntegrityError } from 'eventsourcing';
import type { DCBQuery, DCBRecorder } from 'eventsourcing/dcb';
import { type BackendName, openStore, type StoreSettings } from './backends.js';
import type { DcbFigures, RawDcbFigures } from './dcb-report.js';
import { median, medianOf, ratePerSecond, runPool } from './pool.js';
import {
  type DcbBoundary,
  type DcbBoundaryQuery,
  type DcbNewEvent,
  type DcbStorage,
  RawDcbPostgres,
  RawDcbSqlite,
} from './raw-dcb.js';
import type { Progress } from './w1-figures.js';
import { fmt } from './w1-phases.js';

/** The sizes of the `dcb` entries. */
export interface DcbOptions {
  /** Courses, and students (W1's dogs). */
  readonly courses: number;
  /** Subscriptions per student (W1's tricks; at most 5, the students' limit). */
  readonly rounds: number;
  readonly inFlight: readonly number[];
  /** Runs per side and number in flight; each figure is the median. */
  readonly repeat: number;
}

/** The event types. */
export const COURSE_DEFINED = 'CourseDefined';
export const COURSE_CAPACITY_CHANGED = 'CourseCapacityChanged';
export const STUDENT_SUBSCRIBED = 'StudentSubscribedToCourse';
/** Each course's capacity (more than the rounds, so none fills up). */
const CAPACITY = 10;
/** The most courses a student may subscribe to. */
export const MAX_COURSES_PER_STUDENT = 5;
/** Events per unconditional append of the set-up. */
const DEFINE_CHUNK = 500;
/** Passes of the read phase (the median is reported). */
const READ_PASSES = 3;
/** The unreported warm-up run of each side: courses, rounds, in flight. */
const WARM_UP = { courses: 500, rounds: 2, inFlight: 8 };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const ms = (value: number): string => `${value.toFixed(3)} ms`;
const courseTag = (id: string): string => `course:${id}`;
const studentTag = (id: string): string => `student:${id}`;

/** A subscription command's boundary: the course's events and the student's subscriptions. */
export function boundaryQuery(courseId: string, studentId: string): DCBQuery & DcbBoundaryQuery {
  return {
    items: [
      {
        types: [COURSE_DEFINED, COURSE_CAPACITY_CHANGED, STUDENT_SUBSCRIBED],
        tags: [courseTag(courseId)],
      },
      { types: [STUDENT_SUBSCRIBED], tags: [studentTag(studentId)] },
    ],
  };
}

/** What a boundary's events say about a course and a student. */
interface Subscriptions {
  courseExists: boolean;
  capacity: number;
  courseSubscriptions: number;
  studentSubscriptions: number;
  alreadySubscribed: boolean;
}

/** Decodes a boundary's events and folds them. */
function project(boundary: DcbBoundary, courseId: string, studentId: string): Subscriptions {
  const s: Subscriptions = {
    courseExists: false,
    capacity: 0,
    courseSubscriptions: 0,
    studentSubscriptions: 0,
    alreadySubscribed: false,
  };
  for (const event of boundary.events) {
    const data = JSON.parse(decoder.decode(event.data)) as Record<string, unknown>;
    switch (event.type) {
      case COURSE_DEFINED:
        s.courseExists = true;
        s.capacity = data.capacity as number;
        break;
      case COURSE_CAPACITY_CHANGED:
        s.capacity = data.newCapacity as number;
        break;
      case STUDENT_SUBSCRIBED: {
        const course = data.courseId === courseId;
        const student = data.studentId === studentId;
        if (course) s.courseSubscriptions++;
        if (student) s.studentSubscriptions++;
        if (course && student) s.alreadySubscribed = true;
        break;
      }
    }
  }
  return s;
}

/** The decision: the event to append, or why the command is refused. */
function decide(s: Subscriptions, courseId: string, studentId: string): DcbNewEvent | string {
  if (!s.courseExists) return `course ${courseId} does not exist`;
  if (s.courseSubscriptions >= s.capacity) return `course ${courseId} is full`;
  if (s.alreadySubscribed) return `student ${studentId} is subscribed to ${courseId} already`;
  if (s.studentSubscriptions >= MAX_COURSES_PER_STUDENT) {
    return `student ${studentId} is subscribed to ${MAX_COURSES_PER_STUDENT} courses already`;
  }
  return {
    type: STUDENT_SUBSCRIBED,
    data: encoder.encode(JSON.stringify({ studentId, courseId })),
    tags: [studentTag(studentId), courseTag(courseId)],
  };
}

/** The library's DCB recorder as the workload's storage. */
class LibraryDcb implements DcbStorage {
  constructor(private readonly recorder: DCBRecorder) {}

  async setUp(): Promise<void> {
    // Connects and creates the tables.
    await this.recorder.read(null, { limit: 1 });
  }

  async appendUnconditional(events: readonly DcbNewEvent[]): Promise<void> {
    await this.recorder.append(events);
  }

  async read(query: DCBQuery): Promise<DcbBoundary> {
    const response = await this.recorder.read(query);
    return { events: response.events.map((e) => e.event), head: response.head };
  }

  async appendIf(event: DcbNewEvent, query: DCBQuery, after: number | null): Promise<boolean> {
    try {
      await this.recorder.append([event], { failIfEventsMatch: query, after });
      return true;
    } catch (error) {
      if (error instanceof IntegrityError) return false;
      throw error;
    }
  }

  appendCalls(): number | null {
    const calls = (this.recorder as { appendCalls?: unknown }).appendCalls;
    return typeof calls === 'number' ? calls : null;
  }

  async close(): Promise<void> {
    // The factory closes the recorder.
  }
}

/** What one run of the workload gives. */
interface RunFigures {
  append_per_s: number;
  read_per_s: number;
  appends_per_call: number | null;
}

/** Runs the workload on storage already set up on fresh storage. */
async function runWorkload(
  storage: DcbStorage,
  sizes: { courses: number; rounds: number; inFlight: number },
  progress: Progress,
): Promise<RunFigures> {
  const { courses, rounds, inFlight } = sizes;
  const courseIds = Array.from({ length: courses }, () => randomUUID());
  const studentIds = Array.from({ length: courses }, () => randomUUID());
  for (let start = 0; start < courses; start += DEFINE_CHUNK) {
    const chunk: DcbNewEvent[] = [];
    for (let i = start; i < Math.min(start + DEFINE_CHUNK, courses); i++) {
      const courseId = courseIds[i]!;
      chunk.push({
        type: COURSE_DEFINED,
        data: encoder.encode(JSON.stringify({ courseId, capacity: CAPACITY })),
        tags: [courseTag(courseId)],
      });
    }
    await storage.appendUnconditional(chunk);
  }

  let committed = 0;
  let failed = 0;
  const callsBefore = storage.appendCalls();
  // Diagnostic: each stage's mean latency per command (overlapping when more are in flight).
  let readMs = 0;
  let decideMs = 0;
  let appendMs = 0;
  const command = async (studentId: string, courseId: string): Promise<void> => {
    const t0 = performance.now();
    const query = boundaryQuery(courseId, studentId);
    const boundary = await storage.read(query);
    const t1 = performance.now();
    const decision = decide(project(boundary, courseId, studentId), courseId, studentId);
    if (typeof decision === 'string') throw new Error(`the workload was refused: ${decision}`);
    const t2 = performance.now();
    if (await storage.appendIf(decision, query, boundary.head)) committed++;
    else failed++;
    readMs += t1 - t0;
    decideMs += t2 - t1;
    appendMs += performance.now() - t2;
  };
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    await runPool(inFlight, courses, (i) =>
      command(studentIds[i]!, courseIds[(i + round) % courses]!),
    );
  }
  // Only committed appends count.
  const append_per_s = committed / ((performance.now() - started) / 1000);
  const callsAfter = storage.appendCalls();
  const commands = courses * rounds;
  if (failed > 0) {
    // Disjoint commands never conflict: a failed condition is a fault of the recorder.
    throw new Error(`${failed} of ${courses * rounds} disjoint conditional appends failed`);
  }
  const appends_per_call =
    callsBefore === null || callsAfter === null || callsAfter === callsBefore
      ? null
      : committed / (callsAfter - callsBefore);

  const reads: number[] = [];
  for (let pass = 0; pass < READ_PASSES; pass++) {
    reads.push(
      await ratePerSecond(courses, () =>
        runPool(inFlight, courses, async (i) => {
          const courseId = courseIds[i]!;
          const studentId = studentIds[i]!;
          const s = project(
            await storage.read(boundaryQuery(courseId, studentId)),
            courseId,
            studentId,
          );
          if (s.courseSubscriptions !== rounds || s.studentSubscriptions !== rounds) {
            throw new Error(
              `course ${i} has ${s.courseSubscriptions} subscriptions and student ${i} ` +
                `${s.studentSubscriptions}, expected ${rounds} each`,
            );
          }
        }),
      ),
    );
  }
  const figures = { append_per_s, read_per_s: median(reads), appends_per_call };
  progress(
    `${fmt(figures.append_per_s)} appends/s, ${fmt(figures.read_per_s)} reads/s` +
      (appends_per_call === null ? '' : ` (${appends_per_call.toFixed(2)} appends per call)`) +
      `; per command: read ${ms(readMs / commands)}, decide ${ms(decideMs / commands)}, ` +
      `append ${ms(appendMs / commands)}`,
  );
  return figures;
}

/** One run through the library's DCB recorder, on fresh storage. */
async function libraryRun(
  backend: BackendName,
  settings: StoreSettings,
  sizes: { courses: number; rounds: number; inFlight: number },
  progress: Progress,
): Promise<RunFigures> {
  const store = await openStore(backend, settings);
  try {
    const factory = InfrastructureFactory.construct(new Environment(store.appName, store.env));
    try {
      const storage = new LibraryDcb(factory.dcbRecorder());
      await storage.setUp();
      return await runWorkload(storage, sizes, progress);
    } finally {
      await factory.close();
    }
  } finally {
    await store.dispose();
  }
}

/** One run on the bare driver, on fresh storage (null for memory, which has none). */
async function rawRun(
  backend: BackendName,
  settings: StoreSettings,
  sizes: { courses: number; rounds: number; inFlight: number },
  progress: Progress,
): Promise<RunFigures | null> {
  if (backend === 'memory') return null;
  const store = await openStore(backend, settings);
  const storage: DcbStorage =
    backend === 'sqlite'
      ? new RawDcbSqlite(store.sqlitePath!, settings.sqliteSynchronous)
      : new RawDcbPostgres(settings.postgres, store.tablePrefix, settings.poolSize);
  try {
    await storage.setUp();
    return await runWorkload(storage, sizes, progress);
  } finally {
    await storage.close();
    await store.dispose();
  }
}

/**
 * The `dcb` entries on one backend: after an unreported warm-up run of each side, at each
 * number in flight, `repeat` runs of the library and of the bare driver, alternating; each
 * figure is the median.
 */
export async function measureDcb(
  backend: BackendName,
  settings: StoreSettings,
  options: DcbOptions,
  progress: Progress,
): Promise<DcbFigures[]> {
  const rounds = Math.min(options.rounds, MAX_COURSES_PER_STUDENT);
  const warmUp = { ...WARM_UP, courses: Math.min(WARM_UP.courses, options.courses) };
  await libraryRun(backend, settings, warmUp, () => {});
  await rawRun(backend, settings, warmUp, () => {});
  progress(`${backend} dcb: warmed up`);
  const entries: DcbFigures[] = [];
  for (const inFlight of options.inFlight) {
    const sizes = { courses: options.courses, rounds, inFlight };
    const label = `${backend} ×${inFlight} dcb`;
    progress(`${label}: ${options.courses} courses and students, ${rounds} subscriptions each`);
    const libraries: RunFigures[] = [];
    const raws: RunFigures[] = [];
    for (let repeat = 1; repeat <= options.repeat; repeat++) {
      const tag = options.repeat > 1 ? `${label} #${repeat}` : label;
      libraries.push(await libraryRun(backend, settings, sizes, (m) => progress(`${tag} ${m}`)));
      const raw = await rawRun(backend, settings, sizes, (m) => progress(`${tag} raw ${m}`));
      if (raw !== null) raws.push(raw);
    }
    const library = medianOf(libraries);
    const raw: RawDcbFigures | null =
      raws.length === 0
        ? null
        : (({ append_per_s, read_per_s }) => ({ append_per_s, read_per_s }))(medianOf(raws));
    entries.push({
      backend,
      inFlight,
      commands: options.courses * rounds,
      append_per_s: library.append_per_s,
      read_per_s: library.read_per_s,
      appends_per_call: library.appends_per_call,
      raw,
    });
  }
  return entries;
}
