export { createDriver, type DriverFactory, loadFactory } from "./load.js";
export { ADAPTER_PRESETS, type PresetTarget, preset } from "./presets.js";
export { type AdapterSpec, optionsFor, PATH_PLACEHOLDER, validateSpec } from "./spec.js";
