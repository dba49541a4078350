export { toFtsQuery } from "./fts-query.js";
export { type SearchHit, type SearchOptions, type SnippetPart, search } from "./search.js";
