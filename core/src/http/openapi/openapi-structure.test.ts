import { describe, expect, it } from 'vitest';
import { openApiStructureProblems, resolvePointer } from './openapi-structure.js';

const valid = () => ({
  openapi: '3.1.0',
  info: { title: 'T', version: '1' },
  paths: {
    '/things/{id}': {
      get: {
        operationId: 'getThing',
        parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          '404': { $ref: '#/components/responses/NotFound' },
        },
        security: [{ Key: [] }],
      },
    },
  },
  components: {
    schemas: { Thing: { type: 'object', properties: { id: { type: 'string' }, note: { type: ['string', 'null'] } }, required: ['id'] } },
    responses: { NotFound: { description: 'missing' } },
    securitySchemes: { Key: { type: 'apiKey', in: 'header', name: 'x-api-key' } },
  },
});

describe('openApiStructureProblems', () => {
  it('finds nothing wrong with a valid document', () => {
    expect(openApiStructureProblems(valid())).toEqual([]);
  });

  it('reports each kind of problem', () => {
    const doc: any = valid();
    doc.openapi = '3.0.3';
    const get = doc.paths['/things/{id}'].get;
    get.parameters = [{ in: 'path', name: 'thingId', schema: { type: 'string' } }];
    get.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Missing' };
    get.responses['201'] = {};
    get.responses.ok = { description: 'x' };
    get.security = [{ Nope: [] }];
    doc.paths['/others'] = { post: { operationId: 'getThing', responses: {}, requestBody: { content: {} } } };
    doc.components.schemas.Thing.properties.note = { type: 'string', nullable: true };
    expect(openApiStructureProblems(doc)).toEqual([
      'openapi is "3.0.3", not 3.1.x',
      '#/paths/~1things~1{id}/get/responses/200/content/application~1json/schema: $ref #/components/schemas/Missing does not resolve',
      'GET /things/{id}: path parameter thingId is not required',
      'GET /things/{id}: path parameter thingId is not in the path',
      'GET /things/{id}: path parameter {id} is not declared',
      'GET /things/{id}: response 201 has no description',
      'GET /things/{id}: response key ok is not a status',
      'GET /things/{id}: unknown security scheme Nope',
      'POST /others: operationId getThing also used by GET /things/{id}',
      'POST /others: requestBody has no content',
      'POST /others: no responses',
      "#/paths/~1things~1{id}/get/responses/200/content/application~1json/schema: not readable as JSON Schema (Reference not found: #/components/schemas/Missing)",
      "#/components/schemas/Thing/properties/note: 'nullable' is OpenAPI 3.0; 3.1 uses type null",
    ]);
  });

  it('resolves JSON pointers with escaped segments', () => {
    const doc = valid();
    expect(resolvePointer(doc, '#/paths/~1things~1{id}/get/operationId')).toBe('getThing');
    expect(resolvePointer(doc, '#/components/schemas/Nope')).toBeUndefined();
    expect(resolvePointer(doc, 'https://example.com/schema.json')).toBeUndefined();
  });
});
