import { expect } from 'chai';
import { deviceLabel } from '../../../../src/adapters/http/device-label.js';

/** Real User-Agent strings, as each browser or client sends them. */
const REAL: ReadonlyArray<readonly [string, string, string]> = [
  ['Chrome on macOS', 'Chrome on macOS', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36'],
  ['Safari on an iPhone', 'Safari on iOS', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1'],
  ['Safari on macOS', 'Safari on macOS', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15'],
  ['Firefox on Windows', 'Firefox on Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0'],
  ['Edge (which also says Chrome and Safari)', 'Edge on Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91'],
  ['Chrome on an Android phone', 'Chrome on Android', 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36'],
  ['Samsung Internet on Android', 'Samsung Internet on Android', 'Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36'],
  ['Firefox on Linux', 'Firefox on Linux', 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0'],
  ['headless Chromium (the browser tests)', 'Chrome on Linux', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/130.0.0.0 Safari/537.36'],
  ['curl', 'curl', 'curl/8.5.0'],
  ['an HTTP library', 'okhttp', 'okhttp/4.12.0'],
];

describe('deviceLabel (the device a session list shows)', () => {
  for (const [what, label, ua] of REAL) {
    it(`names ${what} "${label}"`, () => {
      expect(deviceLabel(ua)).to.equal(label);
    });
  }

  it('leaves versions out, so an update does not make the same device look new', () => {
    const v120 = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
    expect(deviceLabel(v120.replace('120.0.0.0', '131.0.6778.86'))).to.equal(deviceLabel(v120));
  });

  it('knows nothing of a session without a User-Agent (null, empty or blank)', () => {
    expect(deviceLabel(null)).to.equal(null);
    expect(deviceLabel(undefined)).to.equal(null);
    expect(deviceLabel('')).to.equal(null);
    expect(deviceLabel('   ')).to.equal(null);
  });

  it('knows nothing of garbage, and never repeats markup or control characters from it', () => {
    for (const garbage of ['\u0000\u0007<script>alert(1)</script> ☃☃', '<img src=x onerror=alert(1)>/1.0 (x)', '////', 'Mozilla/5.0', '🙂/1.0 (🙂)']) {
      expect(deviceLabel(garbage), JSON.stringify(garbage)).to.equal(null);
    }
  });

  it('names an unknown browser by its system when the system is known', () => {
    expect(deviceLabel('Mozilla/5.0 (Windows NT 10.0; Win64; x64)')).to.equal('Unknown browser on Windows');
  });

  it('reads the start of a 10 KB string quickly and answers something short', () => {
    const chrome = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 ';
    expect(deviceLabel(chrome + 'x'.repeat(10_240))).to.equal('Chrome on macOS');
    // Only the start is parsed (the stored value is at most 255 characters; bowser's patterns are not all linear).
    expect(deviceLabel('x'.repeat(600) + ` ${chrome}`)).to.equal(null);
    for (const huge of ['A'.repeat(10_240), `${'a/'.repeat(5_120)} (`, `Mozilla/5.0 (${'('.repeat(10_240)}`]) {
      const label = deviceLabel(huge);
      expect(label === null || label.length <= 64, String(label)).to.equal(true);
    }
  });

  it('names a client that is no browser by its leading product token, only when that is short and plain', () => {
    expect(deviceLabel('MyApp/3.1 (iPhone; iOS 17.2; Scale/3.00)')).to.equal('MyApp on iOS');
    expect(deviceLabel('Laptop/1.0 (X11; Ünïcode)')).to.equal('Laptop');
    // Bowser's catch-all parser would copy all of this as the browser's name.
    expect(deviceLabel(`${'x'.repeat(40)}/1.0 (whatever)`)).to.equal(null);
    expect(deviceLabel('Evil Name With Spaces/1.0 (x)')).to.equal(null);
  });
});
