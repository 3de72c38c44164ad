export interface IdGenerator {
  /** A new unique, unguessable identifier. */
  newId(): string;
}
