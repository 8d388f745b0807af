/**
 * Text from prompts, model output and users' files, made safe to print on a terminal: control
 * characters are shown, not obeyed. An escape sequence in a prompt could otherwise retitle the
 * window, clear the screen or hide text. C0 controls (except tab and line feed) become their
 * Unicode control pictures (ESC → ␛, BEL → ␇), DEL becomes ␡, and C1 controls and the
 * bidirectional overrides (which reorder what is shown) become \uXXXX. A CR before a line feed
 * is a Windows line end and is dropped.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /\r\n|[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function showControls(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === '\r\n') return '\n';
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
