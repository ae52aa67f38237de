/**
 * Text for XML and HTML: the five special characters escaped, and the characters XML 1.0
 * cannot hold at all (control characters other than tab, newline, carriage return; lone
 * surrogates; U+FFFE/U+FFFF) replaced by U+FFFD, so a label with a stray byte still gives a
 * file every parser reads.
 */
const SPECIAL: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>"']/g, (c) => SPECIAL[c]!);
}

/**
 * JSON to sit inside a `<script type="application/json">` element: `<`, `>` and `&` as
 * \u escapes, so no string in it can close the element (`</script>`) or open a comment,
 * and U+2028/U+2029 escaped too. JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
