import { z } from 'zod';

type Json = Record<string, unknown>;

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const PARAMETER_LOCATIONS = new Set(['query', 'header', 'path', 'cookie']);
const RESPONSE_KEY = /^([1-5]\d\d|[1-5]XX|default)$/;
const SECURITY_TYPES = new Set(['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect']);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Resolves a local JSON pointer (`#/components/schemas/X`) in the document; undefined when it points nowhere. */
export function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = doc;
  for (const token of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    if (!Object.hasOwn(node, key)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

/** The object itself, or what its `$ref` points to. */
export const deref = (doc: unknown, value: unknown): unknown => (isObject(value) && typeof value.$ref === 'string' ? resolvePointer(doc, value.$ref) : value);

/** Every value of the tree with its keys from the root, depth first. */
function* walk(node: unknown, keys: readonly string[] = []): Generator<[readonly string[], unknown]> {
  yield [keys, node];
  if (Array.isArray(node)) for (const [i, v] of node.entries()) yield* walk(v, [...keys, String(i)]);
  else if (isObject(node)) for (const [k, v] of Object.entries(node)) yield* walk(v, [...keys, k]);
}

/** A JSON pointer for messages: `#/paths/~1api~1v2~1health/get`. */
const pointer = (keys: readonly string[]) => ['#', ...keys.map((k) => k.replaceAll('~', '~0').replaceAll('/', '~1'))].join('/');

/**
 * A JSON Schema of the document as a zod schema, with its `#/components/schemas/*` references
 * resolved, for validating values against what the document says (zod's own JSON Schema reader,
 * independent of the zod → JSON Schema conversion that wrote the document).
 */
export function documentSchemaValidator(doc: Json, schema: unknown): z.ZodType {
  const components = (isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {}) as Json;
  const relink = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (key, v) => (key === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', '#/$defs/') : v));
  return z.fromJSONSchema({ ...(relink(schema) as Json), $defs: relink(components) } as Parameters<typeof z.fromJSONSchema>[0]);
}

/** Every schema object the document uses directly: component schemas, parameters, headers and media types. */
function* schemasOf(doc: Json): Generator<[readonly string[], unknown]> {
  for (const [keys, node] of walk(doc)) {
    if (!isObject(node) || !isObject(node.schema)) continue;
    const parent = keys.at(-2);
    if (parent === 'content' || parent === 'headers' || (parent === 'parameters' && /^\d+$/.test(keys.at(-1)!))) yield [[...keys, 'schema'], node.schema];
  }
  const schemas = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
  for (const [name, schema] of Object.entries(schemas)) yield [['components', 'schemas', name], schema];
}

/**
 * Problems that make a document invalid OpenAPI 3.1 (or useless to its readers), checked by
 * structure: version, info, operations, responses, parameters against path templates, local
 * references, security schemes, and that every schema is readable JSON Schema without the
 * OpenAPI 3.0 `nullable` keyword. An empty list means none was found.
 */
export function openApiStructureProblems(doc: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(doc)) return ['the document is not an object'];
  if (typeof doc.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi)) problems.push(`openapi is ${JSON.stringify(doc.openapi)}, not 3.1.x`);
  if (!isObject(doc.info) || typeof doc.info.title !== 'string' || typeof doc.info.version !== 'string') problems.push('info needs a title and a version');
  if (!isObject(doc.paths)) return [...problems, 'paths is missing'];

  for (const [keys, ref] of walk(doc)) {
    if (!isObject(ref) || typeof ref.$ref !== 'string') continue;
    if (resolvePointer(doc, ref.$ref) === undefined) problems.push(`${pointer(keys)}: $ref ${ref.$ref} does not resolve`);
  }

  const securitySchemes = isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  for (const [name, scheme] of Object.entries(securitySchemes)) {
    if (!isObject(scheme) || !SECURITY_TYPES.has(String(scheme.type))) problems.push(`security scheme ${name} has no valid type`);
    else if (scheme.type === 'apiKey' && (typeof scheme.name !== 'string' || !['query', 'header', 'cookie'].includes(String(scheme.in)))) problems.push(`security scheme ${name} needs name and in`);
    else if (scheme.type === 'http' && typeof scheme.scheme !== 'string') problems.push(`security scheme ${name} needs scheme`);
  }
  const checkSecurity = (where: string, security: unknown) => {
    if (security === undefined) return;
    if (!Array.isArray(security)) return problems.push(`${where}: security is not a list`);
    for (const requirement of security) for (const name of Object.keys(requirement as Json)) if (!Object.hasOwn(securitySchemes, name)) problems.push(`${where}: unknown security scheme ${name}`);
  };
  checkSecurity('#/security', doc.security);

  const operationIds = new Map<string, string>();
  for (const [template, item] of Object.entries(doc.paths)) {
    if (!template.startsWith('/')) problems.push(`path ${template} does not start with /`);
    if (!isObject(item)) continue;
    const templateParams = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method) || !isObject(operation)) continue;
      const where = `${method.toUpperCase()} ${template}`;
      if (typeof operation.operationId === 'string') {
        if (operationIds.has(operation.operationId)) problems.push(`${where}: operationId ${operation.operationId} also used by ${operationIds.get(operation.operationId)}`);
        operationIds.set(operation.operationId, where);
      }
      const parameters = [...(Array.isArray(item.parameters) ? item.parameters : []), ...(Array.isArray(operation.parameters) ? operation.parameters : [])].map((p) => deref(doc, p));
      const seen = new Set<string>();
      for (const p of parameters) {
        if (!isObject(p) || typeof p.name !== 'string' || !PARAMETER_LOCATIONS.has(String(p.in))) {
          problems.push(`${where}: a parameter lacks name or a valid in`);
          continue;
        }
        if (seen.has(`${p.in}:${p.name}`)) problems.push(`${where}: parameter ${p.in} ${p.name} declared twice`);
        seen.add(`${p.in}:${p.name}`);
        if ((p.schema === undefined) === (p.content === undefined)) problems.push(`${where}: parameter ${p.name} needs exactly one of schema and content`);
        if (p.in === 'path' && p.required !== true) problems.push(`${where}: path parameter ${p.name} is not required`);
        if (p.in === 'path' && !templateParams.includes(p.name)) problems.push(`${where}: path parameter ${p.name} is not in the path`);
      }
      for (const name of templateParams) if (!seen.has(`path:${name}`)) problems.push(`${where}: path parameter {${name}} is not declared`);
      const body = deref(doc, operation.requestBody);
      if (operation.requestBody !== undefined && (!isObject(body) || !isObject(body.content) || !Object.keys(body.content).length)) problems.push(`${where}: requestBody has no content`);
      if (!isObject(operation.responses) || !Object.keys(operation.responses).length) {
        problems.push(`${where}: no responses`);
      } else {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (!RESPONSE_KEY.test(status)) problems.push(`${where}: response key ${status} is not a status`);
          const resolved = deref(doc, response);
          if (!isObject(resolved) || typeof resolved.description !== 'string') problems.push(`${where}: response ${status} has no description`);
        }
      }
      checkSecurity(where, operation.security);
    }
  }

  for (const [keys, schema] of schemasOf(doc)) {
    for (const [inner, node] of walk(schema, keys)) if (isObject(node) && typeof node.nullable === 'boolean') problems.push(`${pointer(inner)}: 'nullable' is OpenAPI 3.0; 3.1 uses type null`);
    try {
      documentSchemaValidator(doc, schema);
    } catch (err) {
      problems.push(`${pointer(keys)}: not readable as JSON Schema (${(err as Error).message.replaceAll('#/$defs/', '#/components/schemas/')})`);
    }
  }
  return problems;
}
