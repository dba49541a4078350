export { checkSearchBounds, SEARCH_BOUNDS } from "./bounds.js";
export { ftsQueryOf, type SearchTerm, searchTerms, toFtsQuery } from "./fts-query.js";
export {
  hasQueued,
  indexQueued,
  type SearchIndexingOptions,
  SearchIndexQueue,
} from "./index-queue.js";
export { type SearchHit, type SearchOptions, search } from "./search.js";
export type { SnippetPart } from "./snippet.js";
