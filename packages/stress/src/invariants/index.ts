export { checkInvariants, describe, type InvariantOptions, listAll } from "./check.js";
export {
  Ledger,
  type LedgerMessage,
  type LedgerRecord,
  type LedgerSession,
  type LedgerSink,
  RecordingSink,
} from "./ledger.js";
export {
  type BatchMark,
  type ParsedContent,
  parseContent,
  TagMaker,
  taggedContent,
} from "./tags.js";
