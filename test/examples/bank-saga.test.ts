/**
 * The bank saga example: transfers between accounts carried out by two process applications in
 * a loop, completing, failing (nothing moved) or compensated (the debit refunded), under the
 * SingleThreadedRunner and the ConcurrentRunner, in memory, on SQLite (a file per application)
 * and on PostgreSQL (a schema per test).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import type { EnvType } from 'eventsourcing/persistence';
import { ConcurrentRunner, type Runner, SingleThreadedRunner } from 'eventsourcing/system';
import { Accounts } from '../../examples/bank-saga/accounts.js';
import type { TransferStatus } from '../../examples/bank-saga/domain.js';
import { system } from '../../examples/bank-saga/system.js';
import { type TransferDetails, Transfers } from '../../examples/bank-saga/transfers.js';
import { baseEnv, rawClient, whenPostgres } from '../postgres/helpers.js';
import { tempDbPath } from '../sqlite/helpers.js';

type RunnerClass = new (...args: ConstructorParameters<typeof SingleThreadedRunner>) => Runner;

const FINAL: readonly TransferStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * The transfer once it has ended. Under the SingleThreadedRunner it has ended when
 * `transferFunds` resolves; under the ConcurrentRunner the loop goes on after it, so poll.
 */
async function ended(runner: Runner, transferId: string): Promise<TransferDetails> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const transfer = await runner.get(Transfers).getTransfer(transferId);
    if (FINAL.includes(transfer.status)) return transfer;
    if (Date.now() > deadline) assert.fail(`transfer still ${transfer.status} after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function balance(runner: Runner, accountId: string): Promise<number> {
  return (await runner.get(Accounts).getAccount(accountId)).balance;
}

function bankBehaviour(Runner: RunnerClass, env: () => Promise<EnvType>): void {
  test('a transfer debits the source and credits the destination', async () => {
    await using runner = new Runner(system, { env: await env() });
    await runner.start();
    const accounts = runner.get(Accounts);
    const alice = await accounts.openAccount('Alice', 100_00);
    const bob = await accounts.openAccount('Bob');
    const id = await runner.get(Transfers).transferFunds(alice, bob, 30_00);
    if (Runner === SingleThreadedRunner) {
      // Deterministic: the whole loop has run when the save that started it resolves.
      assert.deepEqual(await runner.get(Transfers).getTransfer(id), {
        status: 'completed',
        reason: null,
      });
    }
    assert.deepEqual(await ended(runner, id), { status: 'completed', reason: null });
    assert.equal(await balance(runner, alice), 70_00);
    assert.equal(await balance(runner, bob), 30_00);
  });

  test('a debit the source refuses fails the transfer: nothing moves', async () => {
    await using runner = new Runner(system, { env: await env() });
    await runner.start();
    const accounts = runner.get(Accounts);
    const alice = await accounts.openAccount('Alice', 10_00);
    const bob = await accounts.openAccount('Bob');
    const id = await runner.get(Transfers).transferFunds(alice, bob, 30_00);
    assert.deepEqual(await ended(runner, id), { status: 'failed', reason: 'insufficient funds' });
    assert.equal(await balance(runner, alice), 10_00);
    assert.equal(await balance(runner, bob), 0);
  });

  test('a credit the destination refuses is compensated: the debit is refunded', async () => {
    await using runner = new Runner(system, { env: await env() });
    await runner.start();
    const accounts = runner.get(Accounts);
    const alice = await accounts.openAccount('Alice', 100_00);
    const bob = await accounts.openAccount('Bob');
    await accounts.closeAccount(bob);
    const id = await runner.get(Transfers).transferFunds(alice, bob, 30_00);
    assert.deepEqual(await ended(runner, id), { status: 'cancelled', reason: 'account closed' });
    assert.equal(await balance(runner, alice), 100_00);
    assert.equal(await balance(runner, bob), 0);
    // The money left Alice's account and came back: both steps are in its history.
    const events = await accounts.repository.eventStore.get(alice);
    assert.deepEqual(
      events.map((e) => e.constructor.name),
      ['Opened', 'Deposited', 'Debited', 'Refunded'],
    );
  });

  test('many transfers at once: each ends, and no money is made or lost', async () => {
    await using runner = new Runner(system, { env: await env() });
    await runner.start();
    const accounts = runner.get(Accounts);
    const ids = [
      await accounts.openAccount('A', 50_00),
      await accounts.openAccount('B', 50_00),
      await accounts.openAccount('C', 0),
    ];
    const transfers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        runner.get(Transfers).transferFunds(ids[i % 3]!, ids[(i + 1) % 3]!, 10_00),
      ),
    );
    const outcomes = await Promise.all(transfers.map((id) => ended(runner, id)));
    assert.ok(outcomes.some((t) => t.status === 'completed'));
    const total = (await Promise.all(ids.map((id) => balance(runner, id)))).reduce((a, b) => a + b);
    assert.equal(total, 100_00);
  });
}

const sqliteEnv = async (): Promise<EnvType> => ({
  PERSISTENCE_MODULE: 'sqlite',
  TRANSFERS_SQLITE_DBNAME: tempDbPath('transfers'),
  ACCOUNTS_SQLITE_DBNAME: tempDbPath('accounts'),
});

for (const Runner of [SingleThreadedRunner, ConcurrentRunner]) {
  describe(`bank saga under ${Runner.name}`, () => {
    describe('in memory', () => bankBehaviour(Runner, async () => ({})));
    describe('on SQLite', () => bankBehaviour(Runner, sqliteEnv));
  });
}

describe('bank saga on PostgreSQL', () => {
  whenPostgres(() => {
    const schemas: string[] = [];
    after(async () => {
      const client = await rawClient();
      try {
        for (const schema of schemas) await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    });
    const env = async (): Promise<EnvType> => {
      const schema = `bank${randomBytes(4).toString('hex')}`;
      schemas.push(schema);
      const client = await rawClient();
      try {
        await client.query(`CREATE SCHEMA "${schema}"`);
      } finally {
        await client.end();
      }
      return { PERSISTENCE_MODULE: 'postgres', ...baseEnv, POSTGRES_SCHEMA: schema };
    };
    describe('SingleThreadedRunner', () => bankBehaviour(SingleThreadedRunner, env));
    describe('ConcurrentRunner', () => bankBehaviour(ConcurrentRunner, env));
  });
});
