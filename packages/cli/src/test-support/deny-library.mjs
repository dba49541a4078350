// `node --import <this file>`: registers deny-library-hooks.mjs.
import { register } from "node:module";

register("./deny-library-hooks.mjs", import.meta.url);
