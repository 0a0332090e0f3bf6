/** The UTF-8 length of a string: what close reasons (123 bytes at most) and the send buffer's `maxBytes` count. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length
}
