import canonicalize from 'canonicalize';
import { incentiveDisputeAggregate, type DisputedStatement, type DisputeLine, type ResolveDispute } from '../../domain/incentive/dispute.js';
import { closedPeriod, INCENTIVE_PERIODS_ID, incentivePeriodAggregate, incentivePeriodRules } from '../../domain/incentive/incentivePeriod.js';
import { computeStatement, repsPaidIn, type Ledger, type RevisionSource } from '../../domain/incentive/ledger.js';
import { incentivePlanAggregate, incentivePlanEventSchemas } from '../../domain/incentive/plan.js';
import { incentiveStatementAggregate, incentiveStatementEventSchemas, type ApprovalStep } from '../../domain/incentive/statement.js';
import type { ComputedStatement, StatementLine } from '../../domain/incentive/statementLine.js';
import type { CommandEnvelope, CommandPipeline, CommandResult } from '../commandPipeline.js';
import { NotFound, RuleRefused } from '../errors.js';
import { idFromKey } from '../ids.js';
import { ledgerFromLog } from '../incentives/ledgerFromLog.js';
import { stateOf } from '../loadAggregate.js';
import type { EventStore } from '../ports/eventStore.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** A statement's id derives from its period and rep, so a close cut short and retried finds the statements it already wrote. */
export const statementIdFor = (period: string, repId: string) => idFromKey('incentive-statement', `${period}|${repId}`);
/** One dispute per line of a statement. */
export const disputeIdFor = (statementId: string, lineId: string) => idFromKey('incentive-dispute', `${statementId}|${lineId}`);

/** The period close computes the statements: the system writes them, on the command of whoever closed the period. */
export const INCENTIVE_CLOSE = { id: 'incentive-close', role: 'system' } as const;

/** A statement as recorded: what IncentiveCalculated holds. */
export const recordedStatement = async (eventStore: EventStore, statementId: string): Promise<ComputedStatement | undefined> => {
  const [calculated] = await eventStore.readStream(incentiveStatementAggregate.streamId(statementId), { maxCount: 1 });
  if (!calculated) return undefined;
  const { calculatedBy: _by, ...statement } = incentiveStatementEventSchemas.IncentiveCalculated.parse(calculated.data);
  return statement;
};

export type LineChange = { lineId: string; recorded: StatementLine; recomputed: StatementLine };
export type StatementDiff = {
  added: StatementLine[];
  removed: StatementLine[];
  changed: LineChange[];
  total: { recorded: ComputedStatement['total']; recomputed: ComputedStatement['total'] };
  identical: boolean;
};

/** Lines matched by id: those only recomputed, those only recorded, and those whose figures or grounds differ. */
export const diffStatements = (recorded: ComputedStatement, recomputed: ComputedStatement): StatementDiff => {
  const before = new Map(recorded.lines.map((line) => [line.lineId, line]));
  const after = new Map(recomputed.lines.map((line) => [line.lineId, line]));
  const added = recomputed.lines.filter((line) => !before.has(line.lineId));
  const removed = recorded.lines.filter((line) => !after.has(line.lineId));
  const changed = recomputed.lines.flatMap((line) => {
    const was = before.get(line.lineId);
    return was && canonicalize(was) !== canonicalize(line) ? [{ lineId: line.lineId, recorded: was, recomputed: line }] : [];
  });
  const sameTotal = recorded.total.minor === recomputed.total.minor && recorded.total.currency === recomputed.total.currency;
  return { added, removed, changed, total: { recorded: recorded.total, recomputed: recomputed.total }, identical: added.length + removed.length + changed.length === 0 && sameTotal };
};

/**
 * Incentive periods, statements and disputes (articles 22-24). Closing a period computes every
 * paid rep's statement from the log up to one position and records it; approving, disputing and
 * resolving act on what was recorded; recomputing reads the log again and appends nothing.
 */
export const incentiveCommands = (pipeline: CommandPipeline, eventStore: EventStore) => {
  const periods = new AggregateCommands(pipeline, incentivePeriodAggregate);
  const statements = new AggregateCommands(pipeline, incentiveStatementAggregate);
  const disputes = new AggregateCommands(pipeline, incentiveDisputeAggregate);

  /** A revision as its plan's stream holds it now: a what-if may run a revision published after the statement's cut. */
  const publishedRevision = async (planId: string, revision: number): Promise<RevisionSource> => {
    const published = (await eventStore.readStream(incentivePlanAggregate.streamId(planId))).find(
      (event) => event.type === 'IncentivePlanRevisionPublished' && (event.data as { revision: number }).revision === revision,
    );
    if (!published) throw new NotFound('Incentive plan revision', `${planId} revision ${revision}`);
    return {
      rules: incentivePlanEventSchemas.IncentivePlanRevisionPublished.parse(published.data),
      ref: { streamId: published.streamId, revision: published.revision, hash: String(published.metadata.hash) },
    };
  };

  const closeRecorded = async (period: string) => {
    const state = await stateOf(eventStore, incentivePeriodAggregate, INCENTIVE_PERIODS_ID);
    return state && closedPeriod(state, period);
  };

  const missingStatements = async (recorded: { statements: readonly { statementId: string }[] }) => {
    const missing: string[] = [];
    for (const { statementId } of recorded.statements) {
      if ((await eventStore.readStream(incentiveStatementAggregate.streamId(statementId), { maxCount: 1 })).length === 0) missing.push(statementId);
    }
    return missing;
  };

  /** Writes each statement the close recorded, computed to its cut; one already written is replayed, not written again. */
  const writeStatements = async (period: string, recorded: { cutPosition: number; statements: readonly { statementId: string; repId: string }[] }, ledger: Ledger, envelope: CommandEnvelope) => {
    const results: { statementId: string; repId: string; result: CommandResult }[] = [];
    for (const { statementId, repId } of recorded.statements) {
      const statement = computeStatement(ledger, { statementId, repId, period });
      if (!statement) throw new Error(`No plan pays ${repId} in ${period} as of position ${recorded.cutPosition}, yet the close listed them`);
      const result = await statements.create(statementId, { type: 'CalculateIncentive', statement }, {
        commandId: `incentive-close ${statementId}`,
        actor: INCENTIVE_CLOSE,
        correlationId: envelope.correlationId,
        causationId: envelope.commandId,
      });
      results.push({ statementId, repId, result });
    }
    return results;
  };

  /** The close's result with its position moved past the statements it wrote, so a read `?after=` it sees them. */
  const pastStatements = (result: CommandResult, written: readonly { result: CommandResult }[]): CommandResult => ({
    ...result,
    position: Math.max(result.position, ...written.map((statement) => statement.result.position)),
  });

  return {
    /**
     * Closes a period: records the log position and the reps it pays, then writes each rep's statement.
     * A close cut short (the period recorded, some statements not) is finished by closing again; a
     * period closed in full is refused (INC-20).
     */
    async close(period: string, envelope: CommandEnvelope) {
      const cutPosition = (await eventStore.headPosition()) ?? 0;
      const ledger = await ledgerFromLog(eventStore, cutPosition);
      const listed = repsPaidIn(ledger, period).map((repId) => ({ statementId: statementIdFor(period, repId), repId }));
      let result: CommandResult;
      try {
        const state = await stateOf(eventStore, incentivePeriodAggregate, INCENTIVE_PERIODS_ID);
        const command = { type: 'CloseIncentivePeriod', period, cutPosition, statements: listed } as const;
        result = state ? await periods.act(INCENTIVE_PERIODS_ID, command, envelope) : await periods.create(INCENTIVE_PERIODS_ID, command, envelope);
      } catch (error) {
        const cutShort = error instanceof RuleRefused && error.refusal.refused.id === incentivePeriodRules.closedOnce.id && (await closeRecorded(period));
        if (!cutShort || (await missingStatements(cutShort)).length === 0) throw error;
        const finished = await writeStatements(period, cutShort, await ledgerFromLog(eventStore, cutShort.cutPosition), envelope);
        const [head] = await eventStore.readStream(incentivePeriodAggregate.streamId(INCENTIVE_PERIODS_ID), { direction: 'backwards', maxCount: 1 });
        return { cutPosition: cutShort.cutPosition, statements: finished, result: pastStatements({ streamId: head!.streamId, revision: head!.revision, position: head!.position, events: [], replayed: true }, finished) };
      }
      // A replayed close recorded the cut of its first attempt: its statements are computed to that cut.
      const recorded = (await closeRecorded(period))!;
      const atCut = recorded.cutPosition === cutPosition ? ledger : await ledgerFromLog(eventStore, recorded.cutPosition);
      const written = await writeStatements(period, recorded, atCut, envelope);
      return { cutPosition: recorded.cutPosition, statements: written, result: pastStatements(result, written) };
    },

    approve: (statementId: string, step: ApprovalStep | undefined, envelope: CommandEnvelope) =>
      statements.act(statementId, { type: 'ApproveStatement', ...(step ? { step } : {}) }, envelope),

    /** NotFound for an unknown statement; the dispute's id derives from the statement and the line. */
    async dispute(statementId: string, dispute: Omit<Payload<DisputeLine>, 'disputeId'>, envelope: CommandEnvelope) {
      const statement = await recordedStatement(eventStore, statementId);
      if (!statement) throw new NotFound(incentiveStatementAggregate.name, statementId);
      const disputed: DisputedStatement = { statementId, repId: statement.repId, period: statement.period, currency: statement.currency, lineIds: statement.lines.map((line) => line.lineId) };
      const disputeId = disputeIdFor(statementId, dispute.lineId);
      const result = await disputes.create(disputeId, { type: 'DisputeLine', disputeId, ...dispute }, envelope, { facts: () => ({ statement: disputed }) });
      return { disputeId, result };
    },

    resolve: (disputeId: string, resolution: Payload<ResolveDispute>, envelope: CommandEnvelope) => disputes.act(disputeId, { type: 'ResolveDispute', ...resolution }, envelope),

    /**
     * A rep's statement for a period computed again from the log, to the position the close read,
     * under the revision it was computed under or another (a what-if), beside the recorded one and
     * the difference. Appends nothing. NotFound for a statement never recorded or a revision the plan lacks.
     */
    async recompute(repId: string, period: string, planRevision: number | undefined) {
      const statementId = statementIdFor(period, repId);
      const recorded = await recordedStatement(eventStore, statementId);
      if (!recorded) throw new NotFound(incentiveStatementAggregate.name, `of ${repId} for ${period}`);
      const whatIf = planRevision === undefined || planRevision === recorded.planRevision.revision ? undefined : await publishedRevision(recorded.planId, planRevision);
      const recomputed = computeStatement(await ledgerFromLog(eventStore, recorded.cutPosition), { statementId, repId, period, ...(whatIf ? { revision: whatIf } : {}) });
      if (!recomputed) throw new Error(`${repId}'s statement for ${period} was recorded, yet no plan pays them as of position ${recorded.cutPosition}`);
      return { recorded, recomputed, diff: diffStatements(recorded, recomputed) };
    },
  };
};

export type IncentiveCommands = ReturnType<typeof incentiveCommands>;
