import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ConcurrencyConflict } from '../../application/errors.js';
import { EventHandlingFailed, isPassing, Supervisor } from '../../application/followers/supervisor.js';

const logger = pino({ level: 'silent' });
const event = { position: 7, eventId: 'e-7', streamId: 'quote-q1', type: 'QuoteDrafted' };
const until = async (condition: () => boolean, ms = 2_000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
};
/** A loop's live phase, which only an interrupt ends. */
const following = () => {
  let end: () => void = () => {};
  return { wait: () => new Promise<void>((resolve) => (end = resolve)), interrupt: async () => end() };
};
const supervisor = () => new Supervisor({ name: 'projection:test', kind: 'projection', logger, baseDelayMs: 1, maxDelayMs: 4, poisonAfter: 3 });

describe('a supervised follower', () => {
  it('restarts after errors no event is to blame for, for as long as they last, retrying meanwhile, then runs', async () => {
    const follower = supervisor();
    let runs = 0;
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    let letSecondFail!: () => void;
    const secondFails = new Promise<void>((resolve) => (letSecondFail = resolve));
    follower.start(async () => {
      runs += 1;
      // The second run holds until the test has looked at the state the first failure left.
      if (runs === 2) await secondFails;
      if (runs <= 5) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
      follower.progressed(42);
      await blocked;
    });
    await until(() => runs === 2);
    expect(follower.status()).toMatchObject({ state: 'retrying', lastError: { message: 'database is locked' }, failure: null });
    letSecondFail();
    await until(() => follower.status().state === 'running');
    expect(follower.status()).toMatchObject({ state: 'running', position: 42, attempts: 0, restarts: 5 });
    release();
    await follower.stop();
  });

  it('stops on an event that fails the same way every time, naming it, and waits for a retry', async () => {
    const follower = supervisor();
    const live = following();
    let broken = true;
    let runs = 0;
    follower.start(async () => {
      runs += 1;
      if (broken) throw new EventHandlingFailed(event, new TypeError("Cannot read properties of undefined (reading 'lines')"));
      follower.progressed(event.position);
      await live.wait();
    });
    await until(() => follower.status().state === 'failed');
    expect(follower.status().failure).toMatchObject({ position: 7, eventId: 'e-7', streamId: 'quote-q1', type: 'QuoteDrafted', attempts: 3, error: "Cannot read properties of undefined (reading 'lines')" });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs).toBe(3);

    broken = false;
    expect(follower.retry()).toBe('retrying');
    await until(() => follower.status().state === 'running');
    expect(follower.status()).toMatchObject({ position: 7, failure: null });
    await follower.stop(live.interrupt);
  });

  it('never takes an event for a poison event when what failed was the moment: a conflict, a busy store', async () => {
    expect(isPassing(new ConcurrencyConflict('quote-q1', 10))).toBe(true);
    expect(isPassing(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isPassing(Object.assign(new Error('no primary'), { name: 'MongoServerSelectionError' }))).toBe(true);
    expect(isPassing(new TypeError('x is undefined'))).toBe(false);
  });

  it('counts only the same failure on the same event: a different error, or another event, starts the count again', async () => {
    const follower = supervisor();
    let runs = 0;
    follower.start(async () => {
      runs += 1;
      throw new EventHandlingFailed({ ...event, eventId: `e-${runs % 2}` }, new Error('bad'));
    });
    await until(() => runs >= 8);
    expect(follower.status().state).toBe('retrying');
    await follower.stop();
  });

  it('restarts a loop that ends without being asked to, as when a server closes a subscription', async () => {
    const follower = supervisor();
    const live = following();
    let runs = 0;
    follower.start(async () => {
      runs += 1;
      if (runs === 1) return;
      await live.wait();
    });
    await until(() => runs === 2);
    expect(follower.status()).toMatchObject({ restarts: 1, lastError: { message: 'projection:test stopped following the log without being asked to' } });
    await follower.stop(live.interrupt);
  });

  it('stops while failed, while pausing and while running, and then reports stopped', async () => {
    const failed = supervisor();
    failed.start(async () => {
      throw new EventHandlingFailed(event, new Error('bad'));
    });
    await until(() => failed.status().state === 'failed');
    await failed.stop();
    expect(failed.status().state).toBe('stopped');

    const running = supervisor();
    const live = following();
    let started = false;
    running.start(() => {
      started = true;
      return live.wait();
    });
    await until(() => started);
    await running.stop(live.interrupt);
    expect(running.status().state).toBe('stopped');
  });
});
