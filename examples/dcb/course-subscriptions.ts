// The dcb.events course-subscription example: a course has a capacity that can change, and a
// student may subscribe to at most 5 courses. Subscribing is one decision constrained by both
// the course and the student, so its consistency boundary spans both, with no saga.
import { DCBApplication, Decision, event, Selector, Slice } from '../../src/dcb/index.js';

/** A course was defined with a capacity. */
export class CourseDefined extends Decision {
  declare readonly courseId: string;
  declare readonly capacity: number;
}

/** A course's capacity was changed. */
export class CourseCapacityChanged extends Decision {
  declare readonly courseId: string;
  declare readonly newCapacity: number;
}

/** A student subscribed to a course (tagged with both). */
export class StudentSubscribedToCourse extends Decision {
  declare readonly studentId: string;
  declare readonly courseId: string;
}

/** The tag of a course's decisions. */
export const courseTag = (courseId: string): string => `course:${courseId}`;
/** The tag of a student's decisions. */
export const studentTag = (studentId: string): string => `student:${studentId}`;

/** The most courses a student may subscribe to. */
export const MAX_COURSES_PER_STUDENT = 5;

/** Defines a course, unless one with the same id exists. */
export class DefineCourse extends Slice {
  private exists = false;

  constructor(
    readonly courseId: string,
    readonly capacity: number,
  ) {
    super();
  }

  override get cb(): Selector {
    return new Selector({ types: [CourseDefined], tags: [courseTag(this.courseId)] });
  }

  @event(CourseDefined)
  courseDefined(): void {
    this.exists = true;
  }

  override execute(): void {
    if (this.exists) throw new Error(`Course with id "${this.courseId}" already exists`);
    this.triggerEvent(
      CourseDefined,
      { courseId: this.courseId, capacity: this.capacity },
      { tags: [courseTag(this.courseId)] },
    );
  }
}

/** Changes a course's capacity to a different value. */
export class ChangeCourseCapacity extends Slice {
  private exists = false;
  private capacity = 0;

  constructor(
    readonly courseId: string,
    readonly newCapacity: number,
  ) {
    super();
  }

  override get cb(): Selector {
    return new Selector({
      types: [CourseDefined, CourseCapacityChanged],
      tags: [courseTag(this.courseId)],
    });
  }

  @event(CourseDefined)
  courseDefined(capacity: number): void {
    this.exists = true;
    this.capacity = capacity;
  }

  @event(CourseCapacityChanged)
  courseCapacityChanged(newCapacity: number): void {
    this.capacity = newCapacity;
  }

  override execute(): void {
    if (!this.exists) throw new Error(`Course "${this.courseId}" does not exist`);
    if (this.capacity === this.newCapacity) {
      throw new Error(`New capacity ${this.newCapacity} is the same as the current capacity`);
    }
    this.triggerEvent(
      CourseCapacityChanged,
      { courseId: this.courseId, newCapacity: this.newCapacity },
      { tags: [courseTag(this.courseId)] },
    );
  }
}

/** Subscribes a student to a course: the course must exist and have room, the student room too. */
export class SubscribeStudentToCourse extends Slice {
  private courseExists = false;
  private courseCapacity = 0;
  private courseSubscriptions = 0;
  private studentSubscriptions = 0;
  private alreadySubscribed = false;

  constructor(
    readonly studentId: string,
    readonly courseId: string,
  ) {
    super();
  }

  override get cb(): Selector[] {
    return [
      new Selector({
        types: [CourseDefined, CourseCapacityChanged, StudentSubscribedToCourse],
        tags: [courseTag(this.courseId)],
      }),
      new Selector({ types: [StudentSubscribedToCourse], tags: [studentTag(this.studentId)] }),
    ];
  }

  @event(CourseDefined)
  courseDefined(capacity: number): void {
    this.courseExists = true;
    this.courseCapacity = capacity;
  }

  @event(CourseCapacityChanged)
  courseCapacityChanged(newCapacity: number): void {
    this.courseCapacity = newCapacity;
  }

  @event(StudentSubscribedToCourse)
  studentSubscribedToCourse(studentId: string, courseId: string): void {
    if (courseId === this.courseId) this.courseSubscriptions++;
    if (studentId === this.studentId) this.studentSubscriptions++;
    if (studentId === this.studentId && courseId === this.courseId) this.alreadySubscribed = true;
  }

  override execute(): void {
    if (!this.courseExists) throw new Error(`Course "${this.courseId}" does not exist`);
    if (this.courseSubscriptions >= this.courseCapacity) {
      throw new Error(`Course "${this.courseId}" is already fully booked`);
    }
    if (this.alreadySubscribed) throw new Error('Student already subscribed to this course');
    if (this.studentSubscriptions >= MAX_COURSES_PER_STUDENT) {
      throw new Error(`Student already subscribed to ${MAX_COURSES_PER_STUDENT} courses`);
    }
    this.triggerEvent(
      StudentSubscribedToCourse,
      { studentId: this.studentId, courseId: this.courseId },
      { tags: [studentTag(this.studentId), courseTag(this.courseId)] },
    );
  }
}

/** The course-subscription application: each command runs its slice. */
export class CourseSubscriptions extends DCBApplication {
  /** Defines a course with a capacity. */
  async defineCourse(courseId: string, capacity: number): Promise<void> {
    await this.do(new DefineCourse(courseId, capacity));
  }

  /** Changes a course's capacity. */
  async changeCourseCapacity(courseId: string, newCapacity: number): Promise<void> {
    await this.do(new ChangeCourseCapacity(courseId, newCapacity));
  }

  /** Subscribes a student to a course. */
  async subscribeStudentToCourse(studentId: string, courseId: string): Promise<void> {
    await this.do(new SubscribeStudentToCourse(studentId, courseId));
  }
}
