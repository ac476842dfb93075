/**
 * How a policy module (`Breaker`, `Bulkhead`, `Hedge`) makes the object a
 * client is given: the policy type id, its name, its place in
 * `Policy.order`, and the internal parts it carries under their keys (its
 * gate, its hedger, its state).
 *
 * @internal
 */
import * as Policy from "../Policy.js"

/** A policy object named `name`, in the place of `kind`, carrying `parts`. @internal */
export const policyObject = <const Name extends string, const Parts extends object>(
  name: Name,
  kind: keyof typeof Policy.order,
  parts: Parts
): Policy.Policy & { readonly name: Name } & Parts => ({
  [Policy.TypeId]: Policy.TypeId,
  name,
  order: Policy.order[kind],
  ...parts
})
