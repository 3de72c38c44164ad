import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { InvalidationListener, SharedInvalidation } from '../../shared/shared-invalidation.js';

/** The message that stands for "forget everything" (a user id is never empty). */
const EVERYTHING = '';

/**
 * Cache invalidation across instances over Redis pub/sub: each instance subscribes to one channel
 * on a connection of its own, and a write publishes the key it changed before the request that
 * made it is answered.
 *
 * Why the very next request on another instance sees the change: Redis handles commands one at a
 * time, so the PUBLISH is handled before any command that instance sends after the writer's answer
 * (its session check, which always asks Redis, comes first on every request); Redis hands the
 * message to the subscriber connection while it handles the PUBLISH, before it answers that later
 * command; and the instance reads its sockets in the order their data arrived. The cached user is
 * read only after the session check has come back, by which time the notice has been applied.
 *
 * Notices sent while the subscription is down are lost, so the cache serves nothing then
 * (`isLive` false) and is emptied when the subscription is back, before it serves again. A
 * notice that cannot be sent (Redis down or past its deadline) is logged: the instance that wrote
 * has forgotten the key, and in an outage the others have lost their subscription too and serve
 * nothing from memory; only a publish that times out while Redis still serves the others leaves
 * them the old record, for the cache's TTL at most.
 */
export class RedisSharedInvalidation implements SharedInvalidation {
  private readonly subscriber: Redis;
  private readonly listeners: InvalidationListener[] = [];
  private live = false;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {
    // Its own connection (a subscribed connection can send nothing else), which may wait for Redis
    // to come back: only the subscription is sent on it, and no request waits for it.
    this.subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, autoResubscribe: false });
    this.subscriber.on('message', (channel: string, key: string) => {
      if (channel !== this.channel) return;
      for (const l of this.listeners) {
        if (key === EVERYTHING) l.forgetAll();
        else l.forget(key);
      }
    });
    const lost = () => {
      this.live = false;
    };
    this.subscriber.on('close', lost);
    this.subscriber.on('reconnecting', lost);
    this.subscriber.on('end', lost);
    // Errors are the shared client's to report (connectRedis logs an outage once); here they only
    // mean the subscription is gone until 'ready' comes again.
    this.subscriber.on('error', lost);
    this.subscriber.on('ready', () => void this.subscribe());
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel);
    } catch {
      return; // the connection dropped again: its next 'ready' tries again
    }
    if (this.closed) return;
    // Whatever was published while nobody listened may have been missed: forget it all, then serve.
    for (const l of this.listeners) l.forgetAll();
    this.live = true;
  }

  isLive(): boolean {
    return this.live;
  }

  async publish(key: string | null): Promise<void> {
    try {
      await this.redis.publish(this.channel, key ?? EVERYTHING);
    } catch (err) {
      this.logger.warn({ code: (err as { code?: unknown }).code ?? (err as Error).name }, 'cache invalidation not sent: other instances may serve the old record until their cache TTL ends');
    }
  }

  listen(listener: InvalidationListener): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.live = false;
    await this.subscriber.quit().catch(() => undefined);
  }
}
