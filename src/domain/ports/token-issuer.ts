export interface AccessTokenInput {
  readonly userId: string;
  readonly sessionId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

export interface RefreshTokenInput extends AccessTokenInput {
  readonly tokenId: string;
}

export interface TokenIssuer {
  /** A signed access token carrying the user and session ids. */
  issueAccessToken(input: AccessTokenInput): Promise<string>;
  /** A signed refresh token; the same input always yields the same token. */
  issueRefreshToken(input: RefreshTokenInput): Promise<string>;
  /** A fresh, unguessable refresh-token id. */
  newTokenId(): string;
  /** The id of the token that replaces `tokenId`: deterministic, unguessable without the key. */
  successorTokenId(tokenId: string): string;
  /** What the store keeps to recognise a token id: a one-way digest, never the id itself. */
  digest(tokenId: string): string;
}
