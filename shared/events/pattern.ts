/**
 * EventBridge event patterns: validation with EventBridge's rules and matching with its
 * semantics (aws/event-ruler's, where the documentation is silent). See `pattern/compile.ts`
 * for the structure and `pattern/operators.ts` for the value operators.
 */
export {
  compilePattern,
  InvalidEventPatternError,
  MAX_OR_COMBINATIONS,
  matches,
  validatePattern,
} from './pattern/index.js';
