/**
 * The first `max` UTF-16 units of `text` — one fewer when the cut would split a surrogate pair: half
 * a pair is no character, and UTF-8 (an SQS body, a DynamoDB string) carries it as U+FFFD.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
