/**
 * Every example's application passes the same behaviour suite, which shows that the modelling
 * styles are interchangeable behind an application: same answers, same events, same log.
 */
import { DogSchool as Aggregate1 } from '../../examples/aggregate1/application.js';
import { DogSchool as Aggregate2 } from '../../examples/aggregate2/application.js';
import { DogSchool as Aggregate3 } from '../../examples/aggregate3/application.js';
import { DogSchool as Aggregate4 } from '../../examples/aggregate4/application.js';
import { Dog as Dog4 } from '../../examples/aggregate4/domain.js';
import { DogSchool as Aggregate5 } from '../../examples/aggregate5/application.js';
import { DogSchool as Aggregate6 } from '../../examples/aggregate6/application.js';
import { projectDog } from '../../examples/aggregate6/domain.js';
import { DogSchool as Synopsis } from '../../examples/dog-school.js';
import { runDogSchoolBehaviour, type Style } from './dog-school-behaviour.js';

const styles: Style[] = [
  {
    name: 'synopsis (examples/dog-school.ts)',
    // The synopsis does not enable snapshotting itself.
    create: () => new Synopsis({ env: { IS_SNAPSHOTTING_ENABLED: 'y' } }),
    topicPrefix: '',
  },
  { name: 'aggregate1, declarative', create: () => new Aggregate1(), topicPrefix: 'aggregate1:' },
  {
    name: 'aggregate2, explicit event classes',
    create: () => new Aggregate2(),
    topicPrefix: 'aggregate2:',
  },
  {
    name: 'aggregate3, explicit trigger and apply',
    create: () => new Aggregate3(),
    topicPrefix: 'aggregate3:',
  },
  {
    name: 'aggregate4, custom base classes',
    create: () => new Aggregate4(),
    projector: Dog4.projector,
    topicPrefix: 'aggregate4:',
  },
  {
    name: 'aggregate5, immutable aggregate',
    create: () => new Aggregate5(),
    topicPrefix: 'aggregate5:',
  },
  {
    name: 'aggregate6, functional',
    create: () => new Aggregate6(),
    projector: projectDog,
    topicPrefix: 'aggregate6:',
  },
];

for (const style of styles) runDogSchoolBehaviour(style);
