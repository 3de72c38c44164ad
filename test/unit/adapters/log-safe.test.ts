import { expect } from 'chai';
import { LOG_VALUE_MAX, logSafe } from '../../../src/adapters/http/log-safe.js';

describe('logSafe: an outside value as a log line may carry it', () => {
  it('removes C0 controls, DEL and C1 controls', () => {
    expect(logSafe('a\u0000b\u0007c\u001b[31md\u007fe\u0080f\u009bg\u009fh')).to.equal('abc[31mdefgh');
  });

  it('removes Unicode format characters (Cf): bidi overrides, zero-width characters, BOM, soft hyphen', () => {
    expect(logSafe('\u202egnp.exe\u202c \u200bzero\u200c\u200d\u200e\u200fwidth\u2060\u2066\ufeff\u00adend')).to.equal('gnp.exe zerowidthend');
  });

  it('makes line breaks and tabs one space, so a value can never start a line of its own', () => {
    expect(logSafe('one\r\ntwo\nthree\tfour\u2028five\u2029six\u0085seven')).to.equal('one two three four five six seven');
  });

  it('removes lone surrogates and keeps whole astral characters', () => {
    expect(logSafe('a\ud800b\udc00c😀')).to.equal('abc😀');
  });

  it('keeps a value of 200 characters whole, and cuts a longer one to 200 ending in …', () => {
    const exact = 'x'.repeat(LOG_VALUE_MAX);
    expect(logSafe(exact)).to.equal(exact);
    const cut = logSafe('y'.repeat(LOG_VALUE_MAX + 1));
    expect([...cut]).to.have.length(LOG_VALUE_MAX);
    expect(cut.endsWith('…')).to.equal(true);
  });

  it('counts code points, not UTF-16 units, and never splits a surrogate pair', () => {
    const cut = logSafe('😀'.repeat(300));
    expect([...cut]).to.have.length(LOG_VALUE_MAX);
    expect(cut).to.equal(`${'😀'.repeat(LOG_VALUE_MAX - 1)}…`);
    expect(logSafe('😀'.repeat(LOG_VALUE_MAX))).to.equal('😀'.repeat(LOG_VALUE_MAX));
  });

  it('cuts after cleaning: 14 KB of mostly control characters still yields readable text', () => {
    const value = `${'\u0000\u001b\u202e'.repeat(1000)}${'visible '.repeat(1000)}`;
    const safe = logSafe(value);
    expect([...safe]).to.have.length.at.most(LOG_VALUE_MAX);
    expect(safe.startsWith('visible visible')).to.equal(true);
  });

  it('bounds the work and the result for a megabyte', () => {
    const safe = logSafe('z'.repeat(1_000_000));
    expect([...safe]).to.have.length(LOG_VALUE_MAX);
  });

  it('turns a value that is not a string into text', () => {
    expect(logSafe(42)).to.equal('42');
    expect(logSafe(undefined)).to.equal('undefined');
  });
});
