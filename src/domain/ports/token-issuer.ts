export interface AccessTokenInput {
  readonly userId: string;
  readonly sessionId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export interface AccessTokenClaims extends AccessTokenInput {
  /** The roles the user held when the token was issued (the service's own guards read the current ones). */
  readonly roles: readonly string[];
  /** RFC 8176 authentication methods of the sign-in, when known of the session (`pwd`, `otp`, `hwk`, `fed`); absent: no `amr` claim. */
  readonly amr?: readonly string[];
}

export interface RefreshTokenInput extends AccessTokenInput {
  readonly tokenId: string;
}

export interface TokenIssuer {
  /** A signed access token carrying the user and session ids, and the user's roles. */
  issueAccessToken(input: AccessTokenClaims): Promise<string>;
  /** A signed refresh token; the same input always yields the same token. */
  issueRefreshToken(input: RefreshTokenInput): Promise<string>;
  /** A fresh, unguessable refresh-token id. */
  newTokenId(): string;
  /** The id of the token that replaces `tokenId`: deterministic, unguessable without the key. */
  successorTokenId(tokenId: string): string;
  /** What the store keeps to recognise a token id: a one-way digest, never the id itself. */
  digest(tokenId: string): string;
}
