/**
 * `npm run demo`: runs the dog school of the README and shows what happened at each step.
 *
 * By default it stores events in a SQLite file, dogschool.db, so a second run finds the first
 * run's dogs. The usual environment variables choose other persistence, e.g.
 * `PERSISTENCE_MODULE=memory npm run demo`, or PostgreSQL with `PERSISTENCE_MODULE=postgres
 * POSTGRES_DBNAME=… POSTGRES_HOST=… POSTGRES_USER=… POSTGRES_PASSWORD=… npm run demo`.
 */
import { DogSchool } from './dog-school.js';

// Defaults first, then the process environment, which wins.
const app = new DogSchool({
  env: { PERSISTENCE_MODULE: 'sqlite', SQLITE_DBNAME: 'dogschool.db', ...process.env },
});
const persistence = app.env.get('PERSISTENCE_MODULE') ?? 'memory';
const where = persistence === 'sqlite' ? ` (file ${app.env.get('SQLITE_DBNAME')})` : '';
console.log(`Dog school, persistence module: ${persistence}${where}\n`);

console.log('0. What earlier runs stored');
const before = (await app.recorder.maxNotificationId()) ?? 0;
const registered = await app.recorder.selectNotifications(1, 1000, { topics: ['Dog.Registered'] });
if (registered.length === 0) {
  console.log('   nothing yet: this is the first run\n');
} else {
  console.log(`   ${before} events, ${registered.length} dogs:`);
  for (const notification of registered.slice(-6)) {
    const dog = await app.getDog(notification.originatorId);
    console.log(`   ${dog.name.padEnd(12)} tricks ${JSON.stringify(dog.tricks)}`);
  }
  if (registered.length > 6) console.log(`   … and ${registered.length - 6} more`);
  console.log();
}

const run = registered.length / 2 + 1;
const names = [`Fido ${run}`, `Buster ${run}`];
console.log('1. Register two dogs (each registration records a Dog.Registered event)');
const fido = await app.registerDog(names[0] as string);
const buster = await app.registerDog(names[1] as string);
console.log(`   ${names[0]} ${fido}`);
console.log(`   ${names[1]} ${buster}\n`);

console.log('2. Teach them tricks (each trick records a Dog.TrickAdded event)');
for (const [id, trick] of [
  [fido, 'roll over'],
  [fido, 'play dead'],
  [buster, 'fetch'],
] as const) {
  await app.addTrick(id, trick);
  console.log(`   ${id === fido ? names[0] : names[1]} learned '${trick}'`);
}

console.log('\n3. Reconstruct each dog from its events');
for (const id of [fido, buster]) {
  const dog = await app.getDog(id);
  const events = await app.events.get(id);
  console.log(
    `   ${dog.name}: tricks ${JSON.stringify(dog.tricks)} (from ${events.length} events)`,
  );
}

console.log(`\n4. Reconstruct ${names[0]} as he was at version 2`);
const young = await app.repository.get<{ name: string; tricks: string[]; version: number }>(fido, {
  version: 2,
});
console.log(`   ${young.name} at version ${young.version}: tricks ${JSON.stringify(young.tricks)}`);

console.log("\n5. This run's part of the notification log: events in the order they were recorded");
const decoder = new TextDecoder();
let sectionId: string | null = `${before + 1},${before + 10}`;
while (sectionId !== null) {
  const section = await app.notificationLog.get(sectionId);
  for (const n of section.items) {
    const name = n.originatorId === fido ? names[0] : names[1];
    console.log(
      `   #${n.id} ${n.topic.padEnd(14)} ${String(name).padEnd(9)} v${n.originatorVersion} ${decoder.decode(n.state)}`,
    );
  }
  sectionId = section.nextId;
}

await app.close();
