import type { Refusal } from '../domain/shared/decider.js';

/** Failures a caller can act on; the API maps each kind to one problem type. */
export class NotFound extends Error {
  constructor(readonly what: string, readonly id: string) {
    super(`${what} ${id} does not exist`);
    this.name = 'NotFound';
  }
}

export class AlreadyExists extends Error {
  constructor(readonly streamId: string) {
    super(`${streamId} already exists`);
    this.name = 'AlreadyExists';
  }
}

export class ConcurrencyConflict extends Error {
  constructor(readonly streamId: string, readonly attempts: number) {
    super(`${streamId} kept changing under this command; gave up after ${attempts} attempts`);
    this.name = 'ConcurrencyConflict';
  }
}

export class PreconditionFailed extends Error {
  constructor(readonly streamId: string, readonly expected: number, readonly actual: number | null) {
    super(`${streamId} is at revision ${actual ?? 'none'}, not ${expected}`);
    this.name = 'PreconditionFailed';
  }
}

export class IdempotencyKeyReused extends Error {
  constructor(readonly commandId: string) {
    super(`Idempotency-Key ${commandId} was already used with a different request`);
    this.name = 'IdempotencyKeyReused';
  }
}

export class RuleRefused extends Error {
  constructor(readonly refusal: Refusal) {
    super(`${refusal.refused.id} ${refusal.refused.name}: ${refusal.detail}`);
    this.name = 'RuleRefused';
  }
}

export class Forbidden extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Forbidden';
  }
}

/** A view has not yet applied a position its reader must see; retrying shortly will find it caught up. */
export class ViewBehind extends Error {
  constructor(readonly projections: readonly string[], readonly position: number) {
    super(`The ${projections.join(', ')} view has not yet applied position ${position}; retry shortly`);
    this.name = 'ViewBehind';
  }
}
