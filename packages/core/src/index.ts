export * from "./driver/index.js";
export { LlmSessionsError } from "./errors.js";
