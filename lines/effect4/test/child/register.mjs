// Registers hooks.mjs in a child process of the Effect 4 suite (see packages/core/test/line/effect4/childLine.ts).
import { register } from "node:module"

register("./hooks.mjs", import.meta.url)
