/**
 * From a V8 CPU profile (`Profiler.stop`'s `profile`) to a summary of self
 * time: per place the code lives and per function, in µs per request.
 * Pure, so bench/test checks it on a hand-made profile.
 */

/** A node of a V8 CPU profile, with the fields used here. */
export interface ProfileNode {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
  }
}

export interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  /** The node id of each sample. */
  readonly samples: ReadonlyArray<number>
  /** µs since the previous sample, per sample. */
  readonly timeDeltas: ReadonlyArray<number>
}

/** Where a frame's code lives, from its url. */
export const placeOf = (url: string, functionName: string): string => {
  if (url === "") {
    if (functionName === "(garbage collector)") return "GC"
    if (functionName === "(idle)" || functionName === "(program)") return functionName
    return "native / V8"
  }
  if (url.includes("/packages/core/")) return "steadfast core"
  if (url.includes("/packages/node/")) return "steadfast node"
  if (url.includes("/packages/testkit/")) return "steadfast testkit"
  if (url.includes("/@effect/platform")) return "@effect/platform"
  if (url.includes("/@effect/experimental")) return "@effect/experimental"
  if (url.includes("/node_modules/effect/") || url.includes("/node_modules/.pnpm/effect@")) return "effect runtime"
  if (url.includes("/undici/")) return "undici"
  if (url.startsWith("node:")) return "node internals"
  if (url.includes("/bench/")) return "bench driver"
  return "other"
}

const shortUrl = (url: string): string => {
  const i = Math.max(url.lastIndexOf("/src/"), url.lastIndexOf("/dist/"), url.lastIndexOf("/lib/"))
  return i >= 0 ? url.slice(i + 1) : url.slice(url.lastIndexOf("/") + 1)
}

/** Self time of a profile, per request: in all, per place and per function (hottest first). */
export interface ProfileFigures {
  /** Sampled time outside `(idle)`, µs per request. */
  readonly busyUs: number
  /** µs per request per place, the largest first. */
  readonly places: ReadonlyArray<readonly [place: string, us: number]>
  /** µs per request per function (`name file:line`), the hottest first. */
  readonly functions: ReadonlyArray<{ readonly key: string; readonly place: string; readonly us: number }>
}

/** Self time per place and per function, in µs per request. */
export const aggregateProfile = (profile: CpuProfile, requests: number): ProfileFigures => {
  const byId = new Map<number, ProfileNode>()
  for (const node of profile.nodes) byId.set(node.id, node)
  const places = new Map<string, number>()
  const functions = new Map<string, { place: string; us: number }>()
  let total = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!)
    const us = profile.timeDeltas[i] ?? 0
    if (node === undefined) continue
    const { functionName, lineNumber, url } = node.callFrame
    const place = placeOf(url, functionName)
    if (place === "(idle)") continue
    total += us
    places.set(place, (places.get(place) ?? 0) + us)
    const key = `${functionName === "" ? "(anonymous)" : functionName} ${shortUrl(url)}:${lineNumber + 1}`
    const entry = functions.get(key)
    if (entry === undefined) functions.set(key, { place, us })
    else functions.set(key, { place, us: entry.us + us })
  }
  const per = (us: number) => us / Math.max(1, requests)
  return {
    busyUs: per(total),
    places: [...places].sort((a, b) => b[1] - a[1]).map(([place, us]) => [place, per(us)] as const),
    functions: [...functions].sort((a, b) => b[1].us - a[1].us).map(([key, f]) => ({
      key,
      place: f.place,
      us: per(f.us)
    }))
  }
}

/** Self time per place and the `top` functions, in µs per request, as text. */
export const summarizeProfile = (profile: CpuProfile, requests: number, top: number): string => {
  const figures = aggregateProfile(profile, requests)
  const per = (us: number) => us.toFixed(2).padStart(7)
  const share = (us: number) => `${(100 * us / Math.max(Number.MIN_VALUE, figures.busyUs)).toFixed(1).padStart(5)}%`
  const lines = [`busy samples: ${per(figures.busyUs)} µs/request (excluding idle)`, "", "by place:"]
  for (const [place, us] of figures.places) lines.push(`  ${per(us)} µs  ${share(us)}  ${place}`)
  lines.push("", `top ${top} functions (self time):`)
  for (const { key, place, us } of figures.functions.slice(0, top)) {
    lines.push(`  ${per(us)} µs  ${share(us)}  ${key}  [${place}]`)
  }
  return lines.join("\n")
}

/** A node of a V8 sampling heap profile (`HeapProfiler.stopSampling`), with the fields used here. */
export interface HeapNode {
  readonly callFrame: ProfileNode["callFrame"]
  /** Bytes allocated by this frame itself (sampled), still alive or not. */
  readonly selfSize: number
  readonly children: ReadonlyArray<HeapNode>
}

/**
 * Allocation per place and the `top` allocating functions, in bytes per
 * request, as text. The sampling heap profiler attributes each sampled
 * allocation to the frame that made it.
 */
export const summarizeAllocations = (
  head: HeapNode,
  requests: number,
  top: number,
  what = "allocated"
): string => {
  const places = new Map<string, number>()
  const functions = new Map<string, { place: string; bytes: number }>()
  let total = 0
  const visit = (node: HeapNode) => {
    const { functionName, lineNumber, url } = node.callFrame
    if (node.selfSize > 0) {
      const place = placeOf(url, functionName)
      total += node.selfSize
      places.set(place, (places.get(place) ?? 0) + node.selfSize)
      const key = `${functionName === "" ? "(anonymous)" : functionName} ${shortUrl(url)}:${lineNumber + 1}`
      const entry = functions.get(key)
      functions.set(key, { place, bytes: (entry?.bytes ?? 0) + node.selfSize })
    }
    for (const child of node.children) visit(child)
  }
  visit(head)
  const per = (bytes: number) => Math.round(bytes / Math.max(1, requests)).toString().padStart(6)
  const share = (bytes: number) => `${(100 * bytes / Math.max(1, total)).toFixed(1).padStart(5)}%`
  const lines = [`${what}: ${per(total)} B/request`, "", "by place:"]
  for (const [place, bytes] of [...places].sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${per(bytes)} B  ${share(bytes)}  ${place}`)
  }
  lines.push("", `top ${top} allocating functions:`)
  for (const [key, { bytes, place }] of [...functions].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, top)) {
    lines.push(`  ${per(bytes)} B  ${share(bytes)}  ${key}  [${place}]`)
  }
  return lines.join("\n")
}
