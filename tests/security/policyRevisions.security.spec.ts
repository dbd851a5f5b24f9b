import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, POLICY_STREAM_ID, SUPERSEDES_MAX } from '../../domain/policy/policy.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

/**
 * Hostile policy publications, by class. Whoever can publish a revision dated far ahead, or can
 * rewrite one already in force, holds the rules every check is judged by: a date beyond the planning
 * horizon once froze every later correction (POL-03), with no way out. Each input here is either
 * refused with a problem naming the field or the rule, appending nothing, or taken as the instant it
 * names; a scheduled revision can be superseded, a revision in force cannot.
 */
const START = '2026-03-02T09:00:00.000Z';
/** 366 days after START: the default POLICY_HORIZON_DAYS. */
const HORIZON_ENDS = '2027-03-03T09:00:00.000Z';
const SCHEDULED = '2026-06-01T00:00:00.000Z';

type Clock = { at: string; now(): string };
const clockAt = (at: string): Clock => ({ at, now() { return this.at; } });

const revision = (extra: Record<string, unknown> = {}) => ({ ...DEFAULT_POLICY, changeNote: 'A hostile revision', effectiveFrom: SCHEDULED, ...extra });
const publishOn = (t: TestApp, body: unknown, role = 'compliance_officer') => t.post('/policy/revisions', body, { role });
const revisionsOf = async (t: TestApp) => (await t.system.eventStore.readStream(POLICY_STREAM_ID)).map((event) => event.data as { revision: number; effectiveFrom: string; supersedes?: number[] });

/** The answer refused the input, and nothing was appended anywhere. */
const refusedWithNothingAppended = async (t: TestApp, send: () => Promise<LightMyRequestResponse>) => {
  const head = await t.system.eventStore.headPosition();
  const answer = await send();
  expect(await t.system.eventStore.headPosition()).toBe(head);
  return answer;
};
const invalidEffectiveFrom = { status: 400, type: '/problems/invalid-input', errors: [expect.objectContaining({ field: 'effectiveFrom' })] };
const refusedBy = (id: string) => ({ status: 422, type: '/problems/rule-refused', rule: expect.objectContaining({ id }) });

describe('the defect as reported: a far-future revision blocking every later correction', () => {
  const clock = clockAt(START);
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ clock });
  });
  afterAll(() => t.close());

  it('refuses a revision dated in year 9999 with 422 POL-08, naming the latest date allowed', async () => {
    const answer = await refusedWithNothingAppended(t, () => publishOn(t, revision({ effectiveFrom: '9999-12-31T23:59:59.999Z' })));
    expect(answer.json()).toMatchObject({ ...refusedBy('POL-08'), detail: expect.stringContaining(HORIZON_ENDS) });
  });

  it('lets a correction effective now supersede a revision scheduled at the far end of the horizon', async () => {
    expect((await publishOn(t, revision({ effectiveFrom: HORIZON_ENDS }))).statusCode).toBe(201);
    const correction = await publishOn(t, revision({ changeNote: 'Correction', effectiveFrom: START, supersedes: [2] }));
    expect(correction.statusCode, correction.body).toBe(201);
    expect((await t.get('/policy/revisions')).json()).toMatchObject({ inForce: 3, items: [{ revision: 1 }, { revision: 2, supersededBy: 3 }, { revision: 3, supersedes: [2] }] });
  });
});

describe('hostile effective dates', () => {
  const clock = clockAt(START);
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ clock });
  });
  afterAll(() => t.close());

  describe('dates meant to freeze the policy, beyond the planning horizon: 422 POL-08', () => {
    it.each([
      ['9999-12-31T23:59:59.999Z', 'the last instant of year 9999'],
      ['2036-03-02T09:00:00.000Z', 'ten years ahead'],
      ['2027-03-03T09:00:00.001Z', 'one millisecond past the horizon'],
      ['9999-12-31T23:59:59.999-14:00', 'year 9999 with an offset that carries it into year 10000'],
      ['2027-03-03T00:00:00-09:01', 'the last day of the horizon, past its end by the offset'],
    ])('%s (%s)', async (effectiveFrom) => {
      const answer = await refusedWithNothingAppended(t, () => publishOn(t, revision({ effectiveFrom })));
      expect(answer.json()).toMatchObject({ ...refusedBy('POL-08'), detail: expect.stringContaining(`after ${HORIZON_ENDS}, the latest allowed`) });
    });
  });

  describe('dates no ISO-8601 instant of four-digit years can spell: 400 on effectiveFrom', () => {
    it.each([
      ['+275760-09-13T00:00:00.000Z', 'the last instant a JavaScript date holds'],
      ['275760-09-13T00:00:00Z', 'year 275760 without its sign'],
      ['-271821-04-20T00:00:00.000Z', 'the first instant a JavaScript date holds'],
      ['+010000-01-01T00:00:00.000Z', 'an expanded year'],
    ])('%s (%s)', async (effectiveFrom) => {
      const answer = await refusedWithNothingAppended(t, () => publishOn(t, revision({ effectiveFrom })));
      expect(answer.json()).toMatchObject(invalidEffectiveFrom);
    });
  });

  describe('what is not an instant: 400 on effectiveFrom', () => {
    it.each<[unknown, string]>([
      ['2027-02-30T00:00:00Z', 'the thirtieth of February'],
      ['2027-01-01T24:00:00Z', 'hour 24'],
      ['2026-12-31T23:59:60Z', 'a leap second'],
      ['2027-01-01', 'a day without a time'],
      ['2027-01-01T00:00:00', 'a time without an offset, whose instant depends on where it is read'],
      ['2027-01-01T00:00:00+24:00', 'an offset of 24 hours'],
      ['2027-01-01T00:00:00+0800', 'an offset without its colon'],
      ['2027-01-01T00:00:00,5Z', 'a decimal comma'],
      ['２０２７-01-01T00:00:00Z', 'full-width digits'],
      ['next monday', 'words'],
      ['', 'nothing'],
      [null, 'null'],
      [1_798_761_600_000, 'milliseconds since 1970'],
      [{ $date: '2027-01-01T00:00:00Z' }, 'an operator object'],
    ])('%j (%s)', async (effectiveFrom) => {
      const answer = await refusedWithNothingAppended(t, () => publishOn(t, revision({ effectiveFrom })));
      expect(answer.json()).toMatchObject(invalidEffectiveFrom);
    });
  });

  describe('dates in the past, back-dating what was already judged: 400 POL-02 on effectiveFrom', () => {
    it.each([
      ['0000-01-01T00:00:00Z', 'year zero'],
      ['1970-01-01T00:00:00Z', 'the epoch'],
      ['2026-03-02T08:59:59.999Z', 'a millisecond ago'],
      ['2026-03-02T22:59:59.999+14:00', 'a millisecond ago, written later in the day by its offset'],
    ])('%s (%s)', async (effectiveFrom) => {
      const answer = await refusedWithNothingAppended(t, () => publishOn(t, revision({ effectiveFrom })));
      expect(answer.json()).toMatchObject({ ...invalidEffectiveFrom, errors: [expect.objectContaining({ field: 'effectiveFrom', code: 'POL-02' })] });
    });
  });

  describe('instants with offsets or beyond the millisecond: taken, and kept as UTC to the millisecond', () => {
    // In date order, each after the one before: POL-03 holds them to it.
    it.each([
      ['2026-07-01T08:00:00+08:00', '2026-07-01T00:00:00.000Z', 'Beijing time'],
      ['2026-07-01T00:00:00-00:00', '2026-07-01T00:00:00.000Z', 'an unknown local offset'],
      ['2026-07-01T00:00:00.123456789Z', '2026-07-01T00:00:00.123Z', 'nanoseconds'],
      ['2027-03-03T17:00:00+08:00', HORIZON_ENDS, 'the end of the horizon, in Beijing time'],
    ])('%s (%s)', async (effectiveFrom, kept) => {
      const answer = await publishOn(t, revision({ effectiveFrom }));
      expect(answer.statusCode, answer.body).toBe(201);
      expect((await revisionsOf(t)).at(-1)?.effectiveFrom).toBe(kept);
    });
  });
});

describe('supersession aimed at history', () => {
  const clock = clockAt(START);
  let t: TestApp;
  // Revision 1 is in force; 2 is scheduled; 3 superseded nothing and is scheduled after 2.
  beforeEach(async () => {
    clock.at = START;
    t = await startTestApp({ clock });
    expect((await publishOn(t, revision())).statusCode).toBe(201);
    expect((await publishOn(t, revision({ effectiveFrom: '2026-07-01T00:00:00.000Z' }))).statusCode).toBe(201);
  });
  afterEach(() => t.close());

  const superseding = (supersedes: unknown, extra: Record<string, unknown> = {}) => revision({ changeNote: 'Supersede', effectiveFrom: '2026-08-01T00:00:00.000Z', supersedes, ...extra });

  it.each([
    [[1], 'Revision 1 took effect at', 'the revision in force'],
    [[4], 'There is no revision 4 to supersede', 'the number this revision itself would get'],
    [[99], 'There is no revision 99 to supersede', 'a revision never published'],
    [[2, 2], 'Revision 2 is named more than once', 'one revision named twice'],
    [[2, 1], 'Revision 1 took effect at', 'a scheduled revision and the one in force together'],
  ])('refuses superseding %j (%s, %s) with 422 POL-09', async (supersedes, detail) => {
    const answer = await refusedWithNothingAppended(t, () => publishOn(t, superseding(supersedes)));
    expect(answer.json()).toMatchObject({ ...refusedBy('POL-09'), detail: expect.stringContaining(detail) });
  });

  it('refuses superseding a revision at the instant it takes effect: from then on it is in force', async () => {
    clock.at = SCHEDULED;
    const answer = await refusedWithNothingAppended(t, () => publishOn(t, superseding([2])));
    expect(answer.json()).toMatchObject({ ...refusedBy('POL-09'), detail: expect.stringContaining('Revision 2 took effect at 2026-06-01T00:00:00.000Z') });
  });

  it('refuses superseding a revision whose time has passed, even one a later revision kept from ever being in force', async () => {
    clock.at = '2026-07-02T00:00:00.000Z';
    for (const passed of [[1], [2]]) {
      const answer = await refusedWithNothingAppended(t, () => publishOn(t, superseding(passed)));
      expect(answer.json()).toMatchObject(refusedBy('POL-09'));
    }
  });

  it('refuses superseding a revision twice, naming the one that superseded it, even as part of a later supersession', async () => {
    expect((await publishOn(t, superseding([2, 3]))).statusCode).toBe(201);
    for (const again of [[2], [3], [4, 2]]) {
      const answer = await refusedWithNothingAppended(t, () => publishOn(t, superseding(again, { effectiveFrom: '2026-09-01T00:00:00.000Z' })));
      expect(answer.json()).toMatchObject({ ...refusedBy('POL-09'), detail: expect.stringMatching(/Revision [23] was already superseded by revision 4/) });
    }
  });

  it('does not revive a superseded revision when the one that superseded it is superseded in turn (no cycle)', async () => {
    expect((await publishOn(t, superseding([2, 3]))).statusCode).toBe(201);
    expect((await publishOn(t, superseding([4], { effectiveFrom: '2026-09-01T00:00:00.000Z' }))).statusCode).toBe(201);
    for (const at of [SCHEDULED, '2026-07-01T00:00:00.000Z', '2026-08-01T00:00:00.000Z']) {
      clock.at = at;
      expect((await t.get('/policy/revisions')).json().inForce).toBe(1);
    }
    clock.at = '2026-09-01T00:00:00.000Z';
    const listed = (await t.get('/policy/revisions')).json();
    expect(listed.inForce).toBe(5);
    expect(listed.items.map((r: { supersededBy: number | null }) => r.supersededBy)).toEqual([null, 4, 4, 5, null]);
  });

  it('refuses a correction dated before a scheduled revision it leaves standing, with 422 POL-03 saying to supersede it', async () => {
    const answer = await refusedWithNothingAppended(t, () => publishOn(t, superseding([2], { effectiveFrom: START })));
    expect(answer.json()).toMatchObject({ ...refusedBy('POL-03'), detail: expect.stringContaining('supersede revision 3') });
  });

  it.each<[unknown, string]>([
    [[0], 'revision zero'],
    [[-1], 'a negative number'],
    [[1.5], 'a fraction'],
    [['2'], 'a number as text'],
    [[2 ** 53], 'a number past what is exact'],
    [[null], 'null in the list'],
    [2, 'a number, not a list'],
    [{ 0: 2 }, 'an object that looks like a list'],
    [Array.from({ length: SUPERSEDES_MAX + 1 }, (_, i) => i + 1), `${SUPERSEDES_MAX + 1} revisions`],
  ])('answers 400 on supersedes for %j (%s)', async (supersedes) => {
    const answer = await refusedWithNothingAppended(t, () => publishOn(t, superseding(supersedes)));
    expect(answer.json()).toMatchObject({ status: 400, type: '/problems/invalid-input', errors: [expect.objectContaining({ field: expect.stringMatching(/^supersedes/) })] });
  });

  it('answers 403 to a sales manager superseding a scheduled revision', async () => {
    const answer = await refusedWithNothingAppended(t, () => publishOn(t, superseding([2, 3]), 'sales_manager'));
    expect(answer.statusCode).toBe(403);
  });
});

describe('racing publications', () => {
  const clock = clockAt(START);
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp({ clock });
    expect((await publishOn(t, revision())).statusCode).toBe(201);
  });
  afterEach(() => t.close());

  it('lets exactly one of twenty corrections racing to supersede the same scheduled revision through; the others get 422 POL-09', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => publishOn(t, revision({ changeNote: `Correction ${i}`, effectiveFrom: START, supersedes: [2] }))),
    );
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
    for (const refused of answers.filter((a) => a.statusCode !== 201)) expect(refused.json()).toMatchObject(refusedBy('POL-09'));
    expect((await revisionsOf(t)).map((r) => r.revision)).toEqual([1, 2, 3]);
  });

  it('keeps the revisions still standing in date order whichever wins, a correction or a revision dated before the scheduled one', async () => {
    const [correction, early] = await Promise.all([
      publishOn(t, revision({ changeNote: 'Correction', effectiveFrom: '2026-05-01T00:00:00.000Z', supersedes: [2] })),
      publishOn(t, revision({ changeNote: 'Early', effectiveFrom: '2026-04-01T00:00:00.000Z' })),
    ]);
    expect(correction.statusCode, correction.body).toBe(201);
    // Decided before the correction, it is dated before revision 2; after it, before the correction: POL-03 either way.
    expect(early.json()).toMatchObject(refusedBy('POL-03'));
    const listed = (await t.get('/policy/revisions')).json().items as { effectiveFrom: string; supersededBy: number | null }[];
    const standing = listed.filter((r) => r.supersededBy === null).map((r) => r.effectiveFrom);
    expect(standing).toEqual([...standing].sort());
  });
});
