import type { EventDetail } from './security-event.js';

/**
 * An erased user's event detail without its personal values: a string equal to one of `values`
 * becomes null, and such an element leaves a string array (the detail type holds no null inside
 * an array). Exact equality: the values are the stored, canonical ones (the email as kept, the name).
 * Every other key and value stays, so the event still says what happened.
 */
export function scrubDetail(detail: EventDetail, values: readonly string[]): EventDetail {
  const forget = new Set(values);
  const scrubbed: Record<string, EventDetail[string]> = {};
  for (const [key, value] of Object.entries(detail)) {
    if (typeof value === 'string') scrubbed[key] = forget.has(value) ? null : value;
    else if (Array.isArray(value)) scrubbed[key] = (value as readonly string[]).filter((v) => !forget.has(v));
    else scrubbed[key] = value;
  }
  return scrubbed;
}

/** Whether scrubbing `detail` would change it (so a store rewrites only the events that need it). */
export const detailMentions = (detail: EventDetail, values: readonly string[]): boolean => {
  const forget = new Set(values);
  return Object.values(detail).some((v) => (typeof v === 'string' ? forget.has(v) : Array.isArray(v) && (v as readonly string[]).some((e) => forget.has(e))));
};
