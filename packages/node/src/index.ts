/**
 * @steadfast/node: the undici transport for @steadfast/core.
 *
 * @since 0.1.0
 */
export {}
