// Python's system graph tests (test_system.py): nodes, edges in declaration order without
// duplicates, leaders, followers, singles, processors, and the TypeErrors naming the class.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Application } from '../../src/application/application.js';
import { Follower } from '../../src/system/follower.js';
import { isLeaderClass, Leader } from '../../src/system/leader.js';
import { ProcessApplication } from '../../src/system/process-application.js';
import { System } from '../../src/system/system.js';
import { BankAccounts, Commands, EmailProcess, EmailProcess2, Results } from './fixtures/bank.js';

describe('System', () => {
  it('has nodes, one edge, a leader, a follower and a single', () => {
    const system = new System([[BankAccounts, EmailProcess], [Application]]);
    assert.equal(system.nodes.size, 3);
    assert.equal(system.nodes.get('BankAccounts'), BankAccounts);
    assert.equal(system.nodes.get('EmailProcess'), EmailProcess);
    assert.equal(system.nodes.get('Application'), Application);
    assert.deepEqual(system.leaders, ['BankAccounts']);
    assert.deepEqual(system.leadersOnly, ['BankAccounts']);
    assert.deepEqual(system.followers, ['EmailProcess']);
    assert.deepEqual(system.processors, []);
    assert.deepEqual(system.singles, ['Application']);
    assert.deepEqual(system.edges, [['BankAccounts', 'EmailProcess']]);
    assert.deepEqual(system.leads.get('BankAccounts'), ['EmailProcess']);
    assert.deepEqual(system.follows.get('EmailProcess'), ['BankAccounts']);
    assert.equal(system.getAppCls('EmailProcess'), EmailProcess);
    assert.equal(system.followerCls('EmailProcess'), EmailProcess);
  });

  it('keeps one edge for a duplicated pipe', () => {
    const system = new System([
      [BankAccounts, EmailProcess],
      [BankAccounts, EmailProcess],
    ]);
    assert.deepEqual(system.edges, [['BankAccounts', 'EmailProcess']]);
    assert.deepEqual(system.followers, ['EmailProcess']);
  });

  it('keeps the edges in declaration order', () => {
    const system = new System([
      [BankAccounts, EmailProcess2],
      [BankAccounts, EmailProcess],
    ]);
    assert.deepEqual(system.edges, [
      ['BankAccounts', 'EmailProcess2'],
      ['BankAccounts', 'EmailProcess'],
    ]);
    assert.deepEqual(system.leads.get('BankAccounts'), ['EmailProcess2', 'EmailProcess']);
  });

  it('makes a loop of process applications', () => {
    const system = new System([[Commands, Results, Commands]]);
    assert.deepEqual(system.edges, [
      ['Commands', 'Results'],
      ['Results', 'Commands'],
    ]);
    assert.deepEqual(system.processors, ['Commands', 'Results']);
    assert.deepEqual(system.leadersOnly, []);
    assert.deepEqual(system.singles, []);
  });

  it('throws a TypeError naming a class made to follow that is not a follower', () => {
    assert.throws(() => new System([[BankAccounts, Leader]]), {
      name: 'TypeError',
      message: 'Not a follower class: Leader',
    });
  });

  it('throws a TypeError naming a follower made to lead that is not a process application', () => {
    assert.throws(() => new System([[BankAccounts, Follower, EmailProcess]]), {
      name: 'TypeError',
      message: 'Not a process application class: Follower',
    });
  });

  it('wraps an application that is not a leader in a leader class of the same name', () => {
    const system = new System([[BankAccounts, EmailProcess], [Application]]);
    const cls = system.leaderCls('Application');
    assert.equal(isLeaderClass(cls), true);
    assert.equal(system.leaderCls('Application'), cls);
    const app = new cls();
    assert.ok(app instanceof Leader);
    assert.ok(app instanceof Application);
    assert.equal(app.name, 'Application');
    assert.equal(system.leaderCls('BankAccounts'), BankAccounts);
    assert.equal(isLeaderClass(Application), false);
    assert.equal(isLeaderClass(ProcessApplication), true);
  });

  it('instanceof a Leader subclass is still the class check', () => {
    const accounts: object = new BankAccounts();
    const emails: object = new EmailProcess();
    assert.ok(accounts instanceof Leader);
    assert.ok(emails instanceof Leader);
    assert.equal(emails instanceof BankAccounts, false);
    assert.equal(accounts instanceof EmailProcess, false);
  });

  it('names the system application it has not got', () => {
    const system = new System([[BankAccounts, EmailProcess]]);
    assert.throws(() => system.getAppCls('Nope'), /No application named "Nope"/);
  });
});
