/**
 * `npm run demo`: runs the dog school of the README and shows what happened at each step.
 * Persistence is chosen by the environment, as in any application (PERSISTENCE_MODULE, ...).
 */
import { DogSchool } from './dog-school.js';

const app = new DogSchool();
const persistence = app.env.get('PERSISTENCE_MODULE') ?? 'memory';
console.log(`Dog school, persistence module: ${persistence}\n`);

console.log('1. Register two dogs (each registration records a Dog.Registered event)');
const fido = await app.registerDog('Fido');
const buster = await app.registerDog('Buster');
console.log(`   Fido   ${fido}`);
console.log(`   Buster ${buster}\n`);

console.log('2. Teach them tricks (each trick records a Dog.TrickAdded event)');
for (const [id, trick] of [
  [fido, 'roll over'],
  [fido, 'play dead'],
  [buster, 'fetch'],
] as const) {
  await app.addTrick(id, trick);
  console.log(`   ${id === fido ? 'Fido  ' : 'Buster'} learned '${trick}'`);
}

console.log('\n3. Reconstruct each dog from its events');
for (const id of [fido, buster]) {
  const dog = await app.getDog(id);
  const events = await app.events.get(id);
  console.log(
    `   ${dog.name}: tricks ${JSON.stringify(dog.tricks)} (from ${events.length} events)`,
  );
}

console.log('\n4. Reconstruct Fido as he was at version 2');
const young = await app.repository.get<{ name: string; tricks: string[]; version: number }>(fido, {
  version: 2,
});
console.log(`   ${young.name} at version ${young.version}: tricks ${JSON.stringify(young.tricks)}`);

console.log("\n5. The application's notification log: every event, in the order it was recorded");
const decoder = new TextDecoder();
let sectionId: string | null = '1,10';
while (sectionId !== null) {
  const section = await app.notificationLog.get(sectionId);
  for (const n of section.items) {
    const name = n.originatorId === fido ? 'Fido' : 'Buster';
    console.log(
      `   #${n.id} ${n.topic.padEnd(14)} ${name.padEnd(6)} v${n.originatorVersion} ${decoder.decode(n.state)}`,
    );
  }
  sectionId = section.nextId;
}

await app.close();
