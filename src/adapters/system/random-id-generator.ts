import { randomUUID } from 'node:crypto';
import type { IdGenerator } from '../../domain/ports/id-generator.js';

export class RandomIdGenerator implements IdGenerator {
  newId(): string {
    return randomUUID();
  }
}
