export { runStressSuites, type StressSuitesOptions } from "./register.js";
