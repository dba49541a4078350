export { type ClientOptions, type ClientStats, WorkloadClient } from "./client.js";
export { DEFAULT_MIX, type Operation, type OperationMix, WORDS } from "./mix.js";
export { SessionSet } from "./session-set.js";
