import type { paths } from './generated/openapi.js';

/** Every documented path of the API, e.g. `'/api/v2/instances/{id}'`. */
export type ApiPath = keyof paths;
type Method<P extends ApiPath> = Exclude<{ [M in keyof paths[P]]: paths[P][M] extends undefined | never ? never : M }[keyof paths[P]], 'parameters'>;
type Operation<P extends ApiPath, M extends Method<P>> = NonNullable<paths[P][M]>;

/** The JSON body an operation takes: `RequestBody<'/api/v2/messages', 'post'>`. */
export type RequestBody<P extends ApiPath, M extends Method<P>> =
  Operation<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

/** The query parameters an operation takes: `QueryParams<'/api/v2/events', 'get'>`. */
export type QueryParams<P extends ApiPath, M extends Method<P>> = Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : never;

/** The JSON of an operation's success answer (200, 201 or 202): `ResponseBody<'/api/v2/instances/{id}', 'get'>`. */
export type ResponseBody<P extends ApiPath, M extends Method<P>> =
  Operation<P, M> extends { responses: infer R }
    ? R extends { 200: infer S } ? JsonOf<S> : R extends { 201: infer S } ? JsonOf<S> : R extends { 202: infer S } ? JsonOf<S> : never
    : never;
