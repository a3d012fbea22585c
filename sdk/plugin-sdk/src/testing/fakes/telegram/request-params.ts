import type { IncomingMessage } from 'node:http';
import { parseMultipart, type UploadedFile } from './multipart.js';
import { readBody } from '../read-body.js';

export interface RequestParams {
  /** Parameters as the Bot API reads them: JSON values, or multipart/form fields with JSON decoded. */
  params: Record<string, unknown>;
  /** Uploaded files, by the parameter that references them (`photo`, `document`, ...). */
  files: Record<string, UploadedFile>;
}

/** Form fields carry objects as JSON text (`reply_parameters`, `reaction`); decode those, keep the rest as strings. */
function decodeField(value: string): unknown {
  if (!/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * Reads a Bot API call's parameters the way Telegram does: query string, JSON,
 * urlencoded or multipart bodies. In multipart bodies `attach://<name>` references
 * resolve to the uploaded part.
 */
export async function readRequestParams(req: IncomingMessage, url: URL): Promise<RequestParams> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const files: Record<string, UploadedFile> = {};
  const body = await readBody(req);
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (body.length === 0) return { params, files };
  if (type.startsWith('application/json')) {
    Object.assign(params, JSON.parse(body.toString('utf8')) as Record<string, unknown>);
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = decodeField(v);
  } else if (type.startsWith('multipart/form-data')) {
    const parsed = parseMultipart(body, req.headers['content-type'] ?? '');
    for (const [k, v] of Object.entries(parsed.fields)) params[k] = decodeField(v);
    for (const [k, v] of Object.entries(params)) {
      if (typeof v === 'string' && v.startsWith('attach://')) {
        const file = parsed.files[v.slice('attach://'.length)];
        if (file) files[k] = file;
      }
    }
    // A file sent directly under its parameter name, without attach://.
    for (const [k, file] of Object.entries(parsed.files)) if (!(k in params)) files[k] = file;
  } else {
    throw new Error(`unsupported content-type '${type}'`);
  }
  return { params, files };
}
