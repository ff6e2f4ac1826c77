import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/** A body the client got wrong: answered with `status` before any GraphQL runs. */
export class BodyRefused extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
    /** As body-parser names it, for the log line. */
    readonly type: string,
  ) {
    super(message);
  }
}

/**
 * The request's body as Apollo's integrations hand it over (body-parser's `json()` rules): parsed when the
 * media type is `application/json` (any `utf-*` charset; gzip, deflate or br content decoded), an empty object
 * when there is no body or another media type (Apollo's CSRF prevention then refuses what a page on another
 * site could send), and refused past `limit` bytes (413), in an unknown charset or encoding (415), or when it is
 * not a JSON object or array (400).
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const { headers } = req;
  if (headers['transfer-encoding'] === undefined && headers['content-length'] === undefined) return {};
  const [mediaType, ...parameters] = (headers['content-type'] ?? '').split(';');
  if (mediaType.trim().toLowerCase() !== 'application/json') return {};
  try {
    const decoder = decoderFor(charsetOf(parameters));
    if (Number(headers['content-length']) > limit) throw tooLarge(limit);
    return parseStrictly(decoder.decode(await readAll(decoded(req), limit)));
  } catch (error) {
    // The rest of the body is read and dropped first, so that the client, still sending, sees the answer.
    await discard(req);
    throw error;
  }
}

function charsetOf(parameters: string[]): string {
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=');
    if (name.trim().toLowerCase() === 'charset' && value !== undefined) return value.trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return 'utf-8';
}

function decoderFor(charset: string): TextDecoder {
  try {
    if (charset.startsWith('utf-')) return new TextDecoder(charset, { ignoreBOM: false });
  } catch {
    // An unknown utf-* label: refused below, as any other charset.
  }
  throw new BodyRefused(415, `unsupported charset "${charset.toUpperCase()}"`, 'charset.unsupported');
}

function decoded(req: IncomingMessage): Readable {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding === 'identity') return req;
  const decompress = { gzip: createGunzip, deflate: createInflate, br: createBrotliDecompress }[encoding];
  if (!decompress) throw new BodyRefused(415, `unsupported content encoding "${encoding}"`, 'encoding.unsupported');
  return req.pipe(decompress());
}

function readAll(stream: Readable, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.off('data', collect);
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    stream.on('data', collect);
    stream.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    stream.on('error', (error) => reject(new BodyRefused(400, error.message, 'request.aborted')));
  });
}

function discard(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.unpipe();
    if (req.complete || req.destroyed) return resolve();
    req.once('end', resolve).once('close', resolve).resume();
  });
}

function parseStrictly(text: string): unknown {
  if (text.length === 0) return {};
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') throw new BodyRefused(400, 'The request body must be a JSON object', 'entity.parse.failed');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BodyRefused(400, (error as Error).message, 'entity.parse.failed');
  }
}

function tooLarge(limit: number): BodyRefused {
  return new BodyRefused(413, `The request body is larger than the limit of ${limit} bytes`, 'entity.too.large');
}
