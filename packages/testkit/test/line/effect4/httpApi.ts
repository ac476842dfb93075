/**
 * A one-endpoint `HttpApi` and its `HttpApiClient` as the test files build
 * them on the Effect 4 line (`effect/http-api`: an endpoint takes its
 * `params` and `success` schemas as options; see docs/design.md, "Two Effect
 * lines"). Same names and signatures as `../effect3/httpApi.ts`.
 */
import * as Effect from "effect/Effect"
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiClient from "effect/http-api/HttpApiClient"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import type * as HttpClient from "effect/http/HttpClient"
import * as Schema from "effect/Schema"

/** What `GET /items/:id` answers. */
export class Item extends Schema.Class<Item>("Item")({ id: Schema.Number, name: Schema.String }) {}

const Api = HttpApi.make("api").add(
  HttpApiGroup.make("items").add(
    HttpApiEndpoint.get("get", "/items/:id", { params: { id: Schema.NumberFromString }, success: Item })
  )
)

/** An `HttpApiClient` of `GET /items/:id` on `baseUrl`: the item of an id, or the client's error. */
export const itemClient = (
  baseUrl: string
): Effect.Effect<(id: number) => Effect.Effect<Item, { readonly _tag: string }>, never, HttpClient.HttpClient> =>
  Effect.map(HttpApiClient.make(Api, { baseUrl }), (client) => (id) => client.items.get({ params: { id } }))
