/** The small JSON body every happy-path route answers with (both servers). */
export const BODY = JSON.stringify({ id: 1, name: "steadfast", ok: true, tags: ["a", "b", "c"], score: 0.5 })
