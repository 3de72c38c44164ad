import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { OutboxMailTransport } from '../../../../src/adapters/mail/outbox-mail-transport.js';
import { renderMail } from '../../../../src/adapters/mail/render-mail.js';
import { ONE_OF_EACH, SETTINGS, TOKEN } from './fixtures.js';

const addressOf = (field: AddressObject | AddressObject[] | undefined) => (Array.isArray(field) ? field[0] : field)?.value[0]?.address;

describe('OutboxMailTransport', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'outbox-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes each mail as a parseable .eml with From, To, Subject and both parts, creating the folder', async () => {
    const dir = join(root, 'not', 'yet', 'there');
    const transport = new OutboxMailTransport(dir);
    const rendered = renderMail(ONE_OF_EACH.verify_email, SETTINGS);
    await transport.deliver(rendered, SETTINGS.from);
    await transport.close();

    const files = readdirSync(dir);
    expect(files).to.have.length(1);
    expect(files[0]).to.match(/\.eml$/);
    const raw = readFileSync(join(dir, files[0] as string));
    expect(raw.toString('latin1')).to.match(/\r\n\r\n/, 'RFC 5322 lines end in CRLF');
    const parsed = await simpleParser(raw);
    expect(addressOf(parsed.from)).to.equal('no-reply@acme.test');
    expect(parsed.from?.value[0]?.name).to.equal('Acme Login');
    expect(addressOf(parsed.to)).to.equal('alice@example.com');
    expect(parsed.subject).to.equal(rendered.subject);
    expect(parsed.messageId).to.be.a('string');
    expect(parsed.date).to.be.instanceOf(Date);
    expect(parsed.text).to.include(`https://auth.acme.test/verify-email#token=${TOKEN}`);
    expect(parsed.html).to.be.a('string').and.include(`href="https://auth.acme.test/verify-email#token=${TOKEN}"`);
  });

  it('names files so they sort by time and never collide, even within one millisecond', async () => {
    let clock = Date.parse('2026-01-02T03:04:05.678Z');
    const frozen = new OutboxMailTransport(root, () => new Date(clock));
    const rendered = renderMail(ONE_OF_EACH.password_changed, SETTINGS);
    await Promise.all(Array.from({ length: 5 }, () => frozen.deliver(rendered, SETTINGS.from)));
    clock += 1;
    await frozen.deliver(renderMail(ONE_OF_EACH.email_changed, SETTINGS), SETTINGS.from);
    // A second process writing to the same folder in the same millisecond.
    clock -= 1;
    await new OutboxMailTransport(root, () => new Date(clock)).deliver(rendered, SETTINGS.from);

    const files = readdirSync(root).sort();
    expect(files).to.have.length(7);
    expect(new Set(files).size).to.equal(7);
    expect(files.every((f) => f.startsWith('20260102T030405.67'))).to.equal(true);
    const last = await simpleParser(readFileSync(join(root, files[6] as string)));
    expect(last.subject).to.equal(renderMail(ONE_OF_EACH.email_changed, SETTINGS).subject);
    expect(files.some((f) => f.endsWith('.tmp'))).to.equal(false);
  });
});
