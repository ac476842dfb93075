/**
 * A one-endpoint `HttpApi` and its `HttpApiClient` as the test files build
 * them on the Effect 3 line (`@effect/platform`'s builder; see
 * docs/design.md, "Two Effect lines"). Same names and signatures as
 * `../effect4/httpApi.ts`.
 */
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/** What `GET /items/:id` answers. */
export class Item extends Schema.Class<Item>("Item")({ id: Schema.Number, name: Schema.String }) {}

class Api extends HttpApi.make("api").add(
  HttpApiGroup.make("items").add(
    HttpApiEndpoint.get("get", "/items/:id")
      .setPath(Schema.Struct({ id: Schema.NumberFromString }))
      .addSuccess(Item)
  )
) {}

/** An `HttpApiClient` of `GET /items/:id` on `baseUrl`: the item of an id, or the client's error. */
export const itemClient = (
  baseUrl: string
): Effect.Effect<(id: number) => Effect.Effect<Item, { readonly _tag: string }>, never, HttpClient.HttpClient> =>
  Effect.map(HttpApiClient.make(Api, { baseUrl }), (client) => (id) => client.items.get({ path: { id } }))
