/** Passwords too common to allow, shipped with the service (nothing is fetched at run time). */
export interface CommonPasswordList {
  /** True when this password, already lower-cased by the caller, is on the list. */
  isCommon(lowerCasedPassword: string): boolean;
}
