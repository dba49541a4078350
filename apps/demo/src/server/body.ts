import { HttpError, invalid } from "./errors.js";

/** The largest request body the API reads, in bytes. */
export const MAX_BODY_BYTES = 256 * 1024;

function tooLarge(limit: number): HttpError {
  return new HttpError(413, "TOO_LARGE", `the body must be at most ${limit} bytes`);
}

/**
 * A request body as text, read as it arrives and abandoned as soon as it
 * passes `limit` bytes: a body sent in chunks (no `Content-Length`) is never
 * held in memory beyond the limit. A declared `Content-Length` over the
 * limit is refused before any byte is read.
 *
 * @throws HttpError 413 `TOO_LARGE` past the limit, 400 `VALIDATION` when
 *   the bytes are not UTF-8.
 */
export async function readBodyText(request: Request, limit = MAX_BODY_BYTES): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Stop reading; the server discards (or cuts) the rest of the upload.
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw invalid("body", "is not valid UTF-8");
  }
}
