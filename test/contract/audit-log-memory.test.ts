import { InMemoryAuditLog } from '../../src/adapters/persistence/memory/in-memory-audit-log.js';
import { auditLogContract } from './audit-log.contract.js';

describe('in-memory audit log', () => {
  auditLogContract('InMemoryAuditLog', () => Promise.resolve({ log: new InMemoryAuditLog(), teardown: () => Promise.resolve() }));
});
