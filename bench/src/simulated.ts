/**
 * The testkit's simulated figures alone (`node bench/dist/simulated.js
 * [requests]`): chaos and no chaos under TestClock, chaos on the live clock,
 * printed as the RESULTS.md section.
 */
import { simulatedRuns } from "./extras.js"
import { renderSimulated } from "./report.js"

const requests = Number(process.argv[2] ?? 100_000)
const sims = await simulatedRuns({ requests, concurrency: 64 })
console.log(renderSimulated(sims))
