/** Who a request acts for, as the strategies hand it to the routes. Never a database row. */
export interface Principal {
  readonly userId: string;
  readonly sessionId?: string;
}

/** A caller authenticated by an access token: always bound to a live session. */
export interface SessionPrincipal extends Principal {
  readonly sessionId: string;
}

/** A caller authenticated by a refresh token. */
export interface RefreshPrincipal extends SessionPrincipal {
  /** The presented refresh token's `jti`. */
  readonly tokenId: string;
}
