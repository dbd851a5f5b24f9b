import { describe, expect, it } from 'vitest';
import { afterCounted, countedBetween, dueOf, elapsedOn, isWorkingDay, MINUTE_MS, type Counting, type Run } from '../../domain/complaint/businessTime.js';
import { countingOf, DEFAULT_COMPLAINT_SERVICE_LEVELS, serviceLevelFor } from '../../domain/complaint/serviceLevels.js';

/** Monday to Friday, 09:00-12:00 and 13:00-18:00 in Beijing; the National Day and Labour Day holidays, and the Saturdays worked for them. */
const DESK = {
  weekdays: [1, 2, 3, 4, 5],
  hours: [
    { from: '09:00', to: '12:00' },
    { from: '13:00', to: '18:00' },
  ],
  holidays: ['2026-05-01', '2026-05-04', '2026-05-05', '2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07'],
  workingDays: ['2026-05-09', '2026-10-10'],
};
const ROUND_THE_CLOCK: Counting = null;

/** Beijing wall-clock time (UTC+8) as the UTC instant the functions take and give. */
const bj = (local: string) => new Date(`${local}+08:00`).toISOString();
const minutes = (n: number) => n * MINUTE_MS;

describe('business time on a calendar (Beijing wall clock)', () => {
  it.each([
    ['within the morning', '2026-03-09T10:00', 60, '2026-03-09T11:00'],
    ['across the lunch break', '2026-03-09T11:30', 60, '2026-03-09T13:30'],
    ['to the very end of a stretch', '2026-03-09T10:00', 120, '2026-03-09T12:00'],
    ['across a weekend: Friday 17:00 plus two hours', '2026-03-06T17:00', 120, '2026-03-09T10:00'],
    ['from a Saturday: the clock starts on Monday morning', '2026-03-07T10:00', 30, '2026-03-09T09:30'],
    ['from the evening: the clock starts the next morning', '2026-03-09T20:00', 30, '2026-03-10T09:30'],
    ['across the National Day holiday', '2026-09-30T17:00', 120, '2026-10-08T10:00'],
    ['onto a Saturday worked in exchange for a holiday', '2026-10-09T17:30', 60, '2026-10-10T09:30'],
    ['across the Labour Day holiday and its weekend', '2026-04-30T17:00', 600, '2026-05-07T10:00'],
    ['onto the Saturday worked for Labour Day', '2026-05-08T17:00', 120, '2026-05-09T10:00'],
    ['nothing to count: due at once', '2026-03-07T10:00', 0, '2026-03-07T10:00'],
  ])('%s: %s + %i min -> %s', (_case, from, amount, due) => {
    expect(afterCounted(DESK, bj(from), minutes(amount))).toBe(bj(due));
  });

  it.each([
    ['Friday 17:00 to Monday 10:00', '2026-03-06T17:00', '2026-03-09T10:00', 120],
    ['a whole weekend', '2026-03-07T00:00', '2026-03-09T00:00', 0],
    ['a working day, lunch left out', '2026-03-09T00:00', '2026-03-10T00:00', 480],
    ['over the National Day holiday', '2026-09-30T09:00', '2026-10-08T18:00', 960],
    ['an end before the start', '2026-03-09T12:00', '2026-03-09T10:00', 0],
  ])('counts %s as %i min', (_case, from, to, counted) => {
    expect(countedBetween(DESK, bj(from), bj(to))).toBe(minutes(counted));
  });

  it('counts a whole year of the default calendar: 2026 has 248 working days of eight hours, the swapped Saturdays in, the holidays out', () => {
    const desk = DEFAULT_COMPLAINT_SERVICE_LEVELS.calendars.default!;
    expect(countedBetween(desk, bj('2026-01-01T00:00'), bj('2027-01-01T00:00'))).toBe(minutes(248 * 480));
  });

  it('finds, over months, the instant at which exactly the time asked for has been counted', () => {
    const desk = DEFAULT_COMPLAINT_SERVICE_LEVELS.calendars.default!;
    for (const amount of [1, 479, 480, 481, 9_600, 43_200]) {
      const due = afterCounted(desk, bj('2026-09-28T17:15'), minutes(amount));
      expect(countedBetween(desk, bj('2026-09-28T17:15'), due), `${amount} min`).toBe(minutes(amount));
    }
  });

  it('knows holidays, weekdays and swapped working days', () => {
    expect(isWorkingDay(DESK, '2026-10-01')).toBe(false);
    expect(isWorkingDay(DESK, '2026-10-08')).toBe(true);
    expect(isWorkingDay(DESK, '2026-10-10')).toBe(true);
    expect(isWorkingDay(DESK, '2026-10-11')).toBe(false);
  });

  it('counts every minute round the clock', () => {
    expect(afterCounted(ROUND_THE_CLOCK, bj('2026-03-06T17:00'), minutes(120))).toBe(bj('2026-03-06T19:00'));
    expect(countedBetween(ROUND_THE_CLOCK, bj('2026-03-06T17:00'), bj('2026-03-09T10:00'))).toBe(minutes(65 * 60));
  });

  it('gives up on a calendar with no working time rather than search for ever', () => {
    expect(() => afterCounted({ ...DESK, weekdays: [], workingDays: [] }, bj('2026-03-09T10:00'), minutes(1))).toThrow(/too little working time/);
  });
});

describe("a complaint's clock: runs, pauses and due times", () => {
  const FIRST_RESPONSE = minutes(120);
  const friday = (time: string) => bj(`2026-03-06T${time}`);
  const monday = (time: string) => bj(`2026-03-09T${time}`);

  it.each<[string, Run[], string | null]>([
    ['running since Friday 16:00: out at Friday 18:00', [{ from: friday('16:00') }], friday('18:00')],
    [
      'a pause that spans the deadline: an hour on Friday, stood until Monday 11:00, out at Monday 12:00',
      [{ from: friday('16:00'), to: friday('17:00') }, { from: monday('11:00') }],
      monday('12:00'),
    ],
    ['standing with an hour left: no due time until it runs again', [{ from: friday('16:00'), to: friday('17:00') }], null],
    ['ran out before it was paused: the instant it ran out', [{ from: friday('16:00'), to: monday('11:00') }], friday('18:00')],
    ['stopped in time: no due time', [{ from: friday('16:00'), to: friday('17:59') }], null],
  ])('%s', (_case, runs, due) => {
    expect(dueOf(DESK, runs, FIRST_RESPONSE)).toBe(due);
  });

  it('counts elapsed time without the pause', () => {
    const runs: Run[] = [{ from: friday('16:00'), to: friday('17:00') }, { from: monday('11:00') }];
    expect(elapsedOn(DESK, runs, monday('11:30'))).toBe(minutes(90));
    expect(elapsedOn(DESK, runs, monday('13:30'))).toBe(minutes(150));
  });

  it.each([
    ['stays high: two business hours from Friday 16:00', 'high', friday('18:00')],
    ['raised to critical: thirty minutes round the clock, already past', 'critical', friday('16:30')],
    ['lowered to low: eight business hours', 'low', monday('16:00')],
  ] as const)('a severity change mid-way counts again from filing: %s', (_case, severity, due) => {
    const level = serviceLevelFor({ ...DEFAULT_COMPLAINT_SERVICE_LEVELS, calendars: { default: DESK } }, severity, 'default');
    expect(dueOf(countingOf(level), [{ from: friday('16:00') }], level.firstResponseMinutes * MINUTE_MS)).toBe(due);
  });
});
