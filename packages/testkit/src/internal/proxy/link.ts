/**
 * One proxied connection: a client socket, its upstream socket, and a pipe
 * each way that applies the toxics of its direction.
 *
 * @internal
 */
import type * as net from "node:net"
import type { Cancel } from "../../Timer.js"
import { millis } from "../faults/connection.js"
import { hash } from "../seeded.js"
import type { Tracked } from "../timer.js"
import type { Direction, Toxic } from "./toxic.js"

/** What every link of one proxy shares. */
export interface ProxyState {
  readonly seed: number
  readonly toxics: Map<string, Toxic>
  readonly links: Set<Link>
  /** Whether a toxic applies to the connection with this index (its toxicity draw). */
  readonly applies: (toxic: Toxic, index: number) => boolean
  /** The proxy's time (its `timer` option): every delay of a toxic waits on it; cleared when the proxy stops. */
  readonly timer: Tracked
}

/** A small seeded PRNG (mulberry32): draws in [0, 1). @internal */
export const prng = (state: number) => (): number => {
  state = (state + 0x6d2b79f5) >>> 0
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 0x100000000
}

export class Link {
  readonly pipes: Record<Direction, Pipe>
  /** Timers of connection-level toxics (reset_peer, timeout), by toxic name. */
  readonly scheduled = new Map<string, { readonly toxic: Toxic; readonly cancel: Cancel }>()
  closed = false

  constructor(
    readonly state: ProxyState,
    readonly index: number,
    readonly client: net.Socket,
    readonly server: net.Socket
  ) {
    this.pipes = {
      upstream: new Pipe(this, "upstream", client, server),
      downstream: new Pipe(this, "downstream", server, client)
    }
    let open = 2
    const onClose = () => {
      if (--open === 0) this.finish()
    }
    client.once("close", onClose)
    server.once("close", onClose)
    // a reset on one side is passed on as a reset to the other
    client.on("error", (error: NodeJS.ErrnoException) => this.abort(error, server))
    server.on("error", (error: NodeJS.ErrnoException) => this.abort(error, client))
    this.refresh()
  }

  active(direction: Direction): Array<Toxic> {
    const out: Array<Toxic> = []
    for (const toxic of this.state.toxics.values()) {
      if (toxic.direction === direction && this.state.applies(toxic, this.index)) out.push(toxic)
    }
    return out
  }

  /** Schedules (or cancels) the timers of connection-level toxics after a change. */
  refresh() {
    if (this.closed) return
    for (const [name, entry] of this.scheduled) {
      if (this.state.toxics.get(name) !== entry.toxic) {
        entry.cancel()
        this.scheduled.delete(name)
      }
    }
    for (const toxic of this.state.toxics.values()) {
      if (this.scheduled.has(toxic.name) || !this.state.applies(toxic, this.index)) continue
      if (toxic._tag === "ResetPeer") {
        const victim = toxic.direction === "downstream" ? this.client : this.server
        // timeout 0 resets at once, as Toxiproxy does: a timer, however short, lets
        // a quick exchange through first (its reply then reads as a clean close)
        if (millis(toxic.timeout) === 0) return this.reset(victim)
        const cancel = this.state.timer.later(millis(toxic.timeout), () => this.reset(victim))
        this.scheduled.set(toxic.name, { toxic, cancel })
      } else if (toxic._tag === "Timeout" && millis(toxic.timeout) > 0) {
        const cancel = this.state.timer.later(millis(toxic.timeout), () => this.close())
        this.scheduled.set(toxic.name, { toxic, cancel })
      }
    }
    for (const pipe of [this.pipes.upstream, this.pipes.downstream]) {
      pipe.wakeUp()
      pipe.kick()
    }
  }

  /** RST to `victim`, and the other side closed. */
  reset(victim: net.Socket) {
    if (this.closed) return
    this.closed = true
    if (!victim.destroyed) victim.resetAndDestroy()
    const other = victim === this.client ? this.server : this.client
    other.destroy()
  }

  abort(error: NodeJS.ErrnoException, other: net.Socket) {
    if (this.closed) return
    this.closed = true
    if (error.code === "ECONNRESET" && !other.destroyed && !other.connecting) other.resetAndDestroy()
    else other.destroy()
    this.client.destroy()
    this.server.destroy()
  }

  /** Ends `sink` once its written bytes are flushed, then closes the connection. */
  closeAfterFlushing(sink: net.Socket) {
    if (this.closed) return
    this.closed = true
    const other = sink === this.client ? this.server : this.client
    other.destroy()
    if (sink.destroyed) return
    sink.end(() => sink.destroy())
    // a bound on the flush, on the proxy's timer like every other wait
    this.state.timer.later(1_000, () => sink.destroy())
  }

  close() {
    if (this.closed) return
    this.closed = true
    this.client.destroy()
    this.server.destroy()
  }

  finish() {
    this.closed = true
    for (const entry of this.scheduled.values()) entry.cancel()
    this.scheduled.clear()
    this.pipes.upstream.dispose()
    this.pipes.downstream.dispose()
    this.state.links.delete(this)
  }
}

/** A chunk waiting in a pipe; `jitter` (in [-1, 1)) is drawn once, when its latency is first computed. */
interface Pending {
  readonly chunk: Buffer
  readonly at: number
  jitter: number | undefined
}

class Pipe {
  readonly queue: Array<Pending> = []
  readonly random: () => number
  ended = false
  running = false
  passed = 0
  wake: (() => void) | undefined
  cancelWait: Cancel | undefined

  constructor(
    readonly link: Link,
    readonly direction: Direction,
    readonly source: net.Socket,
    readonly sink: net.Socket
  ) {
    this.random = prng(hash(link.state.seed, `${direction}#${link.index}`))
    source.on("data", (chunk: Buffer) => {
      this.queue.push({ chunk, at: link.state.timer.now(), jitter: undefined })
      if (this.queue.length > 64) source.pause()
      this.kick()
    })
    source.once("end", () => {
      this.ended = true
      this.kick()
    })
  }

  /** Ends a wait early, so the loop looks at the toxics again (they changed, or the link closed). */
  wakeUp() {
    if (this.wake === undefined) return
    const wake = this.wake
    this.wake = undefined
    this.cancelWait?.()
    this.cancelWait = undefined
    wake()
  }

  /** Starts the loop unless it runs already. */
  kick() {
    if (this.running) return
    this.running = true
    this.run().then(
      () => {
        this.running = false
      },
      () => {
        this.running = false
        this.link.close()
      }
    )
  }

  dispose() {
    this.queue.length = 0
    this.wakeUp()
  }

  /** Sleeps until the proxy's timer reaches `until`; false when the link closed. */
  sleepUntil(until: number): Promise<boolean> {
    return this.sleep(until - this.link.state.timer.now())
  }

  /** Sleeps `ms` on the proxy's timer (a change of toxics wakes it early); false when the link closed. */
  sleep(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(!this.link.closed)
    return new Promise((resolve) => {
      this.wake = () => resolve(!this.link.closed)
      this.cancelWait = this.link.state.timer.later(ms, () => {
        this.wake = undefined
        this.cancelWait = undefined
        resolve(!this.link.closed)
      })
    })
  }

  write(data: Buffer): Promise<boolean> {
    if (this.link.closed || this.sink.destroyed) return Promise.resolve(false)
    if (this.sink.write(data)) return Promise.resolve(true)
    return new Promise((resolve) => {
      const done = () => {
        this.sink.off("drain", done)
        this.sink.off("close", done)
        resolve(!this.link.closed && !this.sink.destroyed)
      }
      this.sink.once("drain", done)
      this.sink.once("close", done)
    })
  }

  async run(): Promise<void> {
    while (!this.link.closed) {
      const item = this.queue[0]
      if (item === undefined) break
      const toxics = this.link.active(this.direction)
      if (toxics.some((t) => t._tag === "Timeout")) {
        // dropped while the timeout toxic is present
        this.queue.shift()
        continue
      }
      let delay = 0
      for (const t of toxics) {
        if (t._tag === "Latency") {
          const jitter = millis(t.jitter)
          if (jitter > 0) item.jitter ??= this.random() * 2 - 1
          delay += Math.max(0, millis(t.latency) + (jitter === 0 ? 0 : item.jitter! * jitter))
        }
      }
      if (this.link.state.timer.now() < item.at + delay) {
        if (!(await this.sleepUntil(item.at + delay))) return
        // woken by a change of toxics, or on time: look again
        continue
      }
      this.queue.shift()
      if (this.queue.length <= 16 && this.source.isPaused()) this.source.resume()
      if (!(await this.deliver(item.chunk, this.link.active(this.direction)))) return
    }
    if (this.ended && this.queue.length === 0 && !this.link.closed && !this.sink.writableEnded) {
      const slow = this.link.active(this.direction).filter((t) => t._tag === "SlowClose")
      const wait = slow.reduce((ms, t) => Math.max(ms, t._tag === "SlowClose" ? millis(t.delay) : 0), 0)
      if (wait > 0 && !(await this.sleep(wait))) return
      this.sink.end()
    }
  }

  async deliver(chunk: Buffer, toxics: ReadonlyArray<Toxic>): Promise<boolean> {
    let data = chunk
    let closeAfter = false
    for (const t of toxics) {
      if (t._tag === "LimitData" && this.passed + data.length >= t.bytes) {
        data = data.subarray(0, Math.max(0, t.bytes - this.passed))
        closeAfter = true
      }
    }
    const bandwidth = toxics.reduce(
      (rate, t) => t._tag === "Bandwidth" ? Math.min(rate, t.bytesPerSecond) : rate,
      Infinity
    )
    const slicer = toxics.find((t) => t._tag === "Slicer")
    const slices: Array<Buffer> = []
    if (slicer === undefined) slices.push(data)
    else {
      for (let at = 0; at < data.length;) {
        const variation = slicer.sizeVariation === 0 ? 0 : Math.round((this.random() * 2 - 1) * slicer.sizeVariation)
        const size = Math.max(1, slicer.averageSize + variation)
        slices.push(data.subarray(at, at + size))
        at += size
      }
    }
    for (let i = 0; i < slices.length; i++) {
      const slice = slices[i]!
      if (Number.isFinite(bandwidth)) {
        const step = Math.max(1, Math.floor(bandwidth / 10))
        for (let at = 0; at < slice.length; at += step) {
          const piece = slice.subarray(at, at + step)
          const started = this.link.state.timer.now()
          if (!(await this.write(piece))) return false
          if (!(await this.sleepUntil(started + (piece.length / bandwidth) * 1000))) return false
        }
      } else if (!(await this.write(slice))) return false
      this.passed += slice.length
      if (slicer !== undefined && i < slices.length - 1 && millis(slicer.delay) > 0) {
        if (!(await this.sleep(millis(slicer.delay)))) return false
      }
    }
    if (closeAfter) {
      // what passed is delivered first (FIN after the last byte), then the connection closes
      this.link.closeAfterFlushing(this.sink)
      return false
    }
    return true
  }
}
