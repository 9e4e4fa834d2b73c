/** The bare drivers' rows must be the size of the library's, or the read ratio compares unlike rows. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DogSchool } from '../../bench/dog-school.js';
import { stateOf } from '../../bench/raw-w1.js';

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('bench: the bare drivers’ state bytes', () => {
  it('have the layout and length of the library’s stored state for the same event', async () => {
    const app = await DogSchool.create({ env: { PERSISTENCE_MODULE: 'memory' } });
    try {
      const id = await app.registerDog('dog-7');
      await app.addTrick(id, 'trick-3');
      const stored = await app.recorder.selectEvents(id);
      const raw = [
        stateOf({ originator_topic: 'Dog', name: 'dog-7' }),
        stateOf({ trick: 'trick-3' }),
      ];
      assert.equal(stored.length, 2);
      for (let i = 0; i < 2; i++) {
        const library = text(stored[i]!.state);
        const bare = text(raw[i]!);
        assert.equal(bare.length, library.length, `${bare}\n${library}`);
        // The same text once the timestamps are taken out.
        const stamp = /"_data_":"[^"]*"/;
        assert.equal(bare.replace(stamp, ''), library.replace(stamp, ''));
      }
    } finally {
      await app.close();
    }
  });
});
