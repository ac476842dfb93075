// Registers hooks.mjs in a child process of the Effect 4 suite (see line.ts).
import { register } from "node:module"

register("./hooks.mjs", import.meta.url)
