import { beforeEach, describe, expect, it } from 'vitest';
import { REP_DOCS, repsProjection, type RepView } from '../../projections/reps/repsProjection.js';
import { projectionSpecification } from '../support/projectionSpecification.js';

const hiredData = { actorId: 'rep-1', name: 'Li Wei', team: 'east', role: 'sales_rep', managerId: 'mgr-1' };
const hired = (data: Record<string, unknown> = {}) => ({ streamId: `rep-${String(data.actorId ?? 'rep-1')}`, type: 'RepHired', data: { ...hiredData, ...data } });
const onRep = (type: string, data: Record<string, unknown>, occurredAt?: string) => ({
  streamId: 'rep-rep-1',
  type,
  data: { actorId: 'rep-1', ...data },
  ...(occurredAt ? { metadata: { occurredAt } } : {}),
});

const cloudTraining = {
  trainingId: 't1',
  course: 'Cloud storage fundamentals',
  passedAt: '2026-02-20T10:00:00.000Z',
  certifies: ['SKU-STOR-1', 'SKU-STOR-2'],
  expiresAt: '2027-02-20T10:00:00.000Z',
  recordedBy: 'mgr-1',
};

// Hired by the first event given, at 2026-03-02T09:00:01Z.
const justHired: RepView = {
  id: 'rep-1',
  name: 'Li Wei',
  team: 'east',
  role: 'sales_rep',
  managerId: 'mgr-1',
  active: true,
  offboardedAt: null,
  offboardReason: null,
  certifications: [],
  hiredAt: '2026-03-02T09:00:01.000Z',
  updatedAt: '2026-03-02T09:00:01.000Z',
};

let spec: ReturnType<typeof projectionSpecification>;
const rep = (id = 'rep-1') => spec.document(REP_DOCS, id);

beforeEach(() => {
  spec = projectionSpecification(repsProjection);
});

describe('reps projection', () => {
  it('follows exactly the events of a rep', () => {
    expect([...repsProjection.handles].sort()).toEqual(['RepHired', 'RepOffboarded', 'RepReinstated', 'RepRoleChanged', 'RepTeamChanged', 'TrainingRecorded']);
  });

  it('puts a hired rep on the roster, active, with no certifications, hired when the event occurred', () => {
    spec.given(hired());
    expect(rep()).toEqual(justHired);
  });

  it('keeps a rep hired without a manager with managerId null', () => {
    const { managerId: _m, ...withoutManager } = hiredData;
    spec.given({ streamId: 'rep-rep-1', type: 'RepHired', data: withoutManager });
    expect(rep()).toEqual({ ...justHired, managerId: null });
  });

  it('spells hiredAt and updatedAt as a UTC instant with milliseconds', () => {
    spec.given({ ...hired(), metadata: { occurredAt: '2026-03-01T08:30:00Z' } });
    expect(rep()).toEqual({ ...justHired, hiredAt: '2026-03-01T08:30:00.000Z', updatedAt: '2026-03-01T08:30:00.000Z' });
  });

  it('changes the role to the new one', () => {
    spec.given(hired(), onRep('RepRoleChanged', { from: 'sales_rep', to: 'senior_sales_rep', reason: 'annual review' }));
    expect(rep()).toEqual({ ...justHired, role: 'senior_sales_rep', updatedAt: '2026-03-02T09:00:02.000Z' });
  });

  it('moves the rep to the new team under the new manager', () => {
    spec.given(hired(), onRep('RepTeamChanged', { fromTeam: 'east', fromManagerId: 'mgr-1', team: 'north', managerId: 'mgr-2' }));
    expect(rep()).toEqual({ ...justHired, team: 'north', managerId: 'mgr-2', updatedAt: '2026-03-02T09:00:02.000Z' });
  });

  it('clears the manager when the move names none, since a move states the whole new arrangement', () => {
    spec.given(hired(), onRep('RepTeamChanged', { fromTeam: 'east', fromManagerId: 'mgr-1', team: 'key-accounts' }));
    expect(rep()).toEqual({ ...justHired, team: 'key-accounts', managerId: null, updatedAt: '2026-03-02T09:00:02.000Z' });
  });

  it('grants one certification per sku a passed training certifies, each with the course, training and dates', () => {
    spec.given(hired(), onRep('TrainingRecorded', cloudTraining));
    expect(rep()).toEqual({
      ...justHired,
      certifications: [
        { sku: 'SKU-STOR-1', course: 'Cloud storage fundamentals', trainingId: 't1', passedAt: '2026-02-20T10:00:00.000Z', expiresAt: '2027-02-20T10:00:00.000Z' },
        { sku: 'SKU-STOR-2', course: 'Cloud storage fundamentals', trainingId: 't1', passedAt: '2026-02-20T10:00:00.000Z', expiresAt: '2027-02-20T10:00:00.000Z' },
      ],
      updatedAt: '2026-03-02T09:00:02.000Z',
    });
  });

  it('adds later trainings after the earlier ones, keeping a renewed sku twice for the API to judge by date', () => {
    spec.given(
      hired(),
      onRep('TrainingRecorded', { ...cloudTraining, certifies: ['SKU-STOR-1'] }),
      onRep('TrainingRecorded', {
        ...cloudTraining,
        trainingId: 't2',
        course: 'Cloud storage refresher',
        passedAt: '2027-02-01T10:00:00.000Z',
        certifies: ['SKU-STOR-1'],
        expiresAt: '2028-02-01T10:00:00.000Z',
      }),
    );
    expect(rep()).toEqual({
      ...justHired,
      certifications: [
        { sku: 'SKU-STOR-1', course: 'Cloud storage fundamentals', trainingId: 't1', passedAt: '2026-02-20T10:00:00.000Z', expiresAt: '2027-02-20T10:00:00.000Z' },
        { sku: 'SKU-STOR-1', course: 'Cloud storage refresher', trainingId: 't2', passedAt: '2027-02-01T10:00:00.000Z', expiresAt: '2028-02-01T10:00:00.000Z' },
      ],
      updatedAt: '2026-03-02T09:00:03.000Z',
    });
  });

  it('records a training that certifies no sku without granting anything', () => {
    spec.given(hired(), onRep('TrainingRecorded', { ...cloudTraining, course: 'Conduct rules', certifies: [] }));
    expect(rep()).toEqual({ ...justHired, updatedAt: '2026-03-02T09:00:02.000Z' });
  });

  it('keeps an offboarded rep on the roster, inactive, with when and why, and their record as it was', () => {
    spec.given(hired(), onRep('TrainingRecorded', cloudTraining), onRep('RepOffboarded', { reason: 'resigned' }, '2026-06-30T18:00:00Z'));
    expect(rep()).toEqual({
      ...justHired,
      active: false,
      offboardedAt: '2026-06-30T18:00:00.000Z',
      offboardReason: 'resigned',
      certifications: [
        { sku: 'SKU-STOR-1', course: 'Cloud storage fundamentals', trainingId: 't1', passedAt: '2026-02-20T10:00:00.000Z', expiresAt: '2027-02-20T10:00:00.000Z' },
        { sku: 'SKU-STOR-2', course: 'Cloud storage fundamentals', trainingId: 't1', passedAt: '2026-02-20T10:00:00.000Z', expiresAt: '2027-02-20T10:00:00.000Z' },
      ],
      updatedAt: '2026-06-30T18:00:00.000Z',
    });
  });

  it('keeps each rep in their own document, keyed by their actor id', () => {
    spec.given(hired(), hired({ actorId: 'rep-2', name: 'Zhang Min', team: 'north', managerId: 'mgr-2' }), onRep('RepRoleChanged', { from: 'sales_rep', to: 'team_lead' }));
    expect(spec.documents(REP_DOCS).map(({ id, name, team, role }) => ({ id, name, team, role }))).toEqual([
      { id: 'rep-1', name: 'Li Wei', team: 'east', role: 'team_lead' },
      { id: 'rep-2', name: 'Zhang Min', team: 'north', role: 'sales_rep' },
    ]);
  });

  it('ignores changes to a rep it never saw hired', () => {
    spec.given(
      onRep('RepRoleChanged', { from: 'sales_rep', to: 'team_lead' }),
      onRep('RepTeamChanged', { fromTeam: 'east', team: 'north' }),
      onRep('TrainingRecorded', cloudTraining),
      onRep('RepOffboarded', { reason: 'resigned' }),
    );
    expect(spec.documents(REP_DOCS)).toEqual([]);
  });

  it('ignores event types it does not handle', () => {
    spec.given(hired(), onRep('RepPhotoUpdated', { url: 'https://example.com/li.png' }), onRep('RepRenamed', { name: 'Li W.' }));
    expect(rep()).toEqual(justHired);
  });
});
