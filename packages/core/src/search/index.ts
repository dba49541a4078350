export { toFtsQuery } from "./fts-query.js";
export {
  hasQueued,
  indexQueued,
  type SearchIndexingOptions,
  SearchIndexQueue,
} from "./index-queue.js";
export { type SearchHit, type SearchOptions, type SnippetPart, search } from "./search.js";
