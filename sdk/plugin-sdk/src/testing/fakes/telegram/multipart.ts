/** One uploaded file from a multipart body. */
export interface UploadedFile {
  filename: string;
  contentType?: string;
  data: Buffer;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: Record<string, UploadedFile>;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** A header parameter (`name="x"`, `name=x`), quoted or not: grammY writes `form-data;name="x";filename=a.jpg`. */
function headerParam(head: string, param: string): string | undefined {
  const match = new RegExp(`(?:^|[;\\s])${param}=(?:"([^"]*)"|([^;\\r\\n]*))`, 'i').exec(head);
  return match ? (match[1] ?? match[2] ?? '').trim() : undefined;
}

/**
 * Parses `multipart/form-data` byte-exactly and tolerantly. Node's `Request.formData()` rejects
 * the headers grammY writes (no space after `:`/`;`, unquoted filenames), so the fake parses itself.
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartBody {
  const boundaryMatch = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundaryMatch) throw new Error('multipart body without boundary');
  const delimiter = Buffer.from(`--${boundaryMatch[1] ?? boundaryMatch[2]}`);
  const fields: Record<string, string> = {};
  const files: Record<string, UploadedFile> = {};

  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    // A part is CRLF, headers, CRLF CRLF, content, CRLF, then the next delimiter.
    const part = body.subarray(partStart, next - 2);
    const headerEnd = part.indexOf(HEADER_END);
    if (headerEnd !== -1) {
      const head = part.subarray(0, headerEnd).toString('utf8');
      const content = part.subarray(headerEnd + HEADER_END.length);
      const disposition = /content-disposition:([^\r\n]*)/i.exec(head)?.[1] ?? '';
      const name = headerParam(disposition, 'name');
      const filename = headerParam(disposition, 'filename');
      const type = /content-type:\s*([^\r\n;]*)/i.exec(head)?.[1]?.trim();
      if (name !== undefined) {
        if (filename !== undefined) files[name] = { filename, contentType: type || undefined, data: Buffer.from(content) };
        else fields[name] = content.toString('utf8');
      }
    }
    start = next;
  }
  return { fields, files };
}
