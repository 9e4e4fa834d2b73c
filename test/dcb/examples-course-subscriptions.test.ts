// The dcb.events course-subscription example: its test cases given/when/then, with their exact
// error messages, and the application on memory, SQLite and PostgreSQL (concurrent
// subscriptions to the last place: exactly one wins).
import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import {
  ChangeCourseCapacity,
  CourseCapacityChanged,
  CourseDefined,
  CourseSubscriptions,
  courseTag,
  DefineCourse,
  StudentSubscribedToCourse,
  SubscribeStudentToCourse,
  studentTag,
} from '../../examples/dcb/course-subscriptions.js';
import type { DCBApplicationOptions } from '../../src/dcb/index.js';
import { Tagged } from '../../src/dcb/index.js';
import { IntegrityError } from '../../src/persistence/errors.js';
import { given, when } from '../../src/testing/dcb-specification.js';
import { baseEnv, dropPrefix, whenPostgres } from '../postgres/helpers.js';
import { tempDbPath } from '../sqlite/helpers.js';

const defined = (courseId: string, capacity: number) =>
  new Tagged([courseTag(courseId)], CourseDefined.create({ courseId, capacity }));
const subscribed = (studentId: string, courseId: string) =>
  new Tagged(
    [studentTag(studentId), courseTag(courseId)],
    StudentSubscribedToCourse.create({ studentId, courseId }),
  );

describe('Course subscriptions, given/when/then (dcb.events test cases)', () => {
  it('refuses to define a course whose id exists', async () => {
    await given(defined('c1', 10))
      .when(new DefineCourse('c1', 15))
      .thenThrows('Course with id "c1" already exists');
  });

  it('defines a course with a new id', async () => {
    await when(new DefineCourse('c1', 15)).given().then(defined('c1', 15));
  });

  it('refuses to change the capacity of a course that does not exist', async () => {
    await given().when(new ChangeCourseCapacity('c0', 15)).thenThrows('Course "c0" does not exist');
  });

  it('refuses a new capacity equal to the current one', async () => {
    await given(defined('c1', 12))
      .when(new ChangeCourseCapacity('c1', 12))
      .thenThrows('New capacity 12 is the same as the current capacity');
  });

  it('changes the capacity of a course to a new value', async () => {
    await given(defined('c1', 12))
      .when(new ChangeCourseCapacity('c1', 15))
      .then(
        new Tagged(
          [courseTag('c1')],
          CourseCapacityChanged.create({ courseId: 'c1', newCapacity: 15 }),
        ),
      );
  });

  it('refuses to subscribe a student to a course that does not exist', async () => {
    await given()
      .when(new SubscribeStudentToCourse('s1', 'c0'))
      .thenThrows('Course "c0" does not exist');
  });

  it('refuses to subscribe a student to a fully booked course', async () => {
    await given(
      defined('c1', 3),
      subscribed('s1', 'c1'),
      subscribed('s2', 'c1'),
      subscribed('s3', 'c1'),
    )
      .when(new SubscribeStudentToCourse('s4', 'c1'))
      .thenThrows('Course "c1" is already fully booked');
  });

  it('refuses to subscribe a student to the same course twice', async () => {
    await given(defined('c1', 10), subscribed('s1', 'c1'))
      .when(new SubscribeStudentToCourse('s1', 'c1'))
      .thenThrows('Student already subscribed to this course');
  });

  it('refuses to subscribe a student to more than 5 courses', async () => {
    await given(
      defined('c6', 10),
      ...['c1', 'c2', 'c3', 'c4', 'c5'].map((c) => subscribed('s1', c)),
    )
      .when(new SubscribeStudentToCourse('s1', 'c6'))
      .thenThrows('Student already subscribed to 5 courses');
  });

  it('subscribes a student to a course with places', async () => {
    await given(defined('c1', 10), subscribed('s2', 'c1'), subscribed('s1', 'c2'))
      .when(new SubscribeStudentToCourse('s1', 'c1'))
      .then(subscribed('s1', 'c1'));
  });
});

/** The application's scenario, on one backend. */
function applicationTests(options: () => DCBApplicationOptions): void {
  it('enforces the course and student rules through the store', async () => {
    await using app = new CourseSubscriptions(options());
    await app.defineCourse('c1', 2);
    await assert.rejects(app.defineCourse('c1', 3), {
      message: 'Course with id "c1" already exists',
    });
    await app.subscribeStudentToCourse('s1', 'c1');
    await assert.rejects(app.subscribeStudentToCourse('s1', 'c1'), {
      message: 'Student already subscribed to this course',
    });
    await app.subscribeStudentToCourse('s2', 'c1');
    await assert.rejects(app.subscribeStudentToCourse('s3', 'c1'), {
      message: 'Course "c1" is already fully booked',
    });
    await app.changeCourseCapacity('c1', 3);
    await app.subscribeStudentToCourse('s3', 'c1');
    for (const c of ['c2', 'c3', 'c4', 'c5', 'c6']) await app.defineCourse(c, 10);
    for (const c of ['c2', 'c3', 'c4', 'c5']) await app.subscribeStudentToCourse('s1', c);
    await assert.rejects(app.subscribeStudentToCourse('s1', 'c6'), {
      message: 'Student already subscribed to 5 courses',
    });
    const { events } = await app.events.read();
    assert.equal(events.length, 14);
  });

  it('lets exactly one of two students racing for the last place subscribe', async () => {
    await using app = new CourseSubscriptions(options());
    await app.defineCourse('c1', 1);
    // Both slices read the boundary before either saves: the second save's condition fails.
    const first = await app.repository.advance(new SubscribeStudentToCourse('s1', 'c1'));
    const second = await app.repository.advance(new SubscribeStudentToCourse('s2', 'c1'));
    first.execute();
    second.execute();
    await app.repository.save(first);
    await assert.rejects(app.repository.save(second), IntegrityError);
    await assert.rejects(app.subscribeStudentToCourse('s2', 'c1'), {
      message: 'Course "c1" is already fully booked',
    });
  });

  it('does not let unrelated decisions fail a save', async () => {
    await using app = new CourseSubscriptions(options());
    await app.defineCourse('c1', 5);
    const slice = await app.repository.advance(new SubscribeStudentToCourse('s1', 'c1'));
    await app.defineCourse('c2', 5); // outside the slice's boundary
    slice.execute();
    assert.ok((await app.repository.save(slice)) > 0);
  });
}

describe('Course subscriptions on memory', () => {
  applicationTests(() => ({ env: { PERSISTENCE_MODULE: 'memory' } }));
});

describe('Course subscriptions on SQLite', () => {
  applicationTests(() => ({
    env: { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: tempDbPath('courses') },
  }));
});

describe('Course subscriptions on PostgreSQL', () => {
  whenPostgres(() => {
    // Each test has its own tables: {name}_events_tt_main and _tt_tag.
    const prefix = `dcbcourses${process.pid}x`;
    let count = 0;
    applicationTests(() => ({
      name: `${prefix}${++count}`,
      env: { PERSISTENCE_MODULE: 'postgres', ...baseEnv },
    }));
    test.after(() => dropPrefix(prefix));
  });
});
