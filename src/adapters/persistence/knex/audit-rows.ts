import type { EventDetail, SecurityEvent, SecurityEventType } from '../../../domain/security-event.js';
import { toDate } from './rows.js';

/** Row <-> security event mapping (beside rows.ts, in its style). */

export interface SecurityEventRow {
  id: string;
  at: Date | number | string;
  type: string;
  user_id: string | null;
  actor_id: string | null;
  session_id: string | null;
  ip: string | null;
  user_agent: string | null;
  /** The detail object as JSON text. */
  detail: string;
}

/** The column's width: a longer user agent is cut, never refused (an event must not be lost to it). */
export const USER_AGENT_MAX = 255;

export const eventToRow = (e: SecurityEvent): SecurityEventRow => ({
  id: e.id,
  at: e.at,
  type: e.type,
  user_id: e.userId,
  actor_id: e.actorId,
  session_id: e.sessionId,
  ip: e.ip,
  user_agent: e.userAgent === null ? null : e.userAgent.slice(0, USER_AGENT_MAX),
  detail: JSON.stringify(e.detail),
});

export const rowToEvent = (row: SecurityEventRow): SecurityEvent => ({
  id: row.id,
  at: toDate(row.at),
  type: row.type as SecurityEventType,
  userId: row.user_id,
  actorId: row.actor_id,
  sessionId: row.session_id,
  ip: row.ip,
  userAgent: row.user_agent,
  detail: JSON.parse(row.detail) as EventDetail,
});
