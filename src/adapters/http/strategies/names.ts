/** The Passport strategy names, in one place. */
export const STRATEGY = {
  local: 'local',
  jwt: 'jwt',
  jwtRefresh: 'jwt-refresh',
  github: 'github',
} as const;

export type StrategyName = (typeof STRATEGY)[keyof typeof STRATEGY];
