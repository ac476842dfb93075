/**
 * `effect/ConfigProvider` for the Effect 3 line: the shared source is written
 * in this spelling, so this line's seam is the module itself (see
 * docs/design.md, "Two Effect lines").
 *
 * @internal
 */
export * from "effect/ConfigProvider"
