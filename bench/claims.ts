import { printEvaluation } from './claimsEvaluation.js';

/** `npm run claims:eval`: the detector on the labelled corpus, each half, with the phrase-only matcher beside it. */
printEvaluation();
