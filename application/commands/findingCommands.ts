import {
  findingAggregate,
  type AcknowledgeFinding,
  type CloseFinding,
  type RaiseFinding,
  type RemediateFinding,
  type WaiveFinding,
} from '../../domain/compliance/finding.js';
import type { CommandEnvelope, CommandPipeline } from '../commandPipeline.js';
import { AggregateCommands, type Payload } from './aggregateCommands.js';

/** Compliance findings (articles 37-38): raised by the checks, answered by those concerned, waived or closed by the compliance office. */
export const findingCommands = (pipeline: CommandPipeline) => {
  const findings = new AggregateCommands(pipeline, findingAggregate);
  return {
    /** A finding names the policy revision that judged it, on its events as on its data. */
    raise: (finding: Payload<RaiseFinding>, envelope: CommandEnvelope) =>
      findings.create(finding.findingId, { type: 'RaiseFinding', ...finding }, envelope, { metadata: { policyVersion: finding.policyRevision } }),
    acknowledge: (findingId: string, acknowledgement: Payload<AcknowledgeFinding>, envelope: CommandEnvelope) =>
      findings.act(findingId, { type: 'AcknowledgeFinding', ...acknowledgement }, envelope),
    remediate: (findingId: string, remediation: Payload<RemediateFinding>, envelope: CommandEnvelope) =>
      findings.act(findingId, { type: 'RemediateFinding', ...remediation }, envelope),
    waive: (findingId: string, waiver: Payload<WaiveFinding>, envelope: CommandEnvelope) => findings.act(findingId, { type: 'WaiveFinding', ...waiver }, envelope),
    close: (findingId: string, closing: Payload<CloseFinding>, envelope: CommandEnvelope) => findings.act(findingId, { type: 'CloseFinding', ...closing }, envelope),
  };
};

export type FindingCommands = ReturnType<typeof findingCommands>;
