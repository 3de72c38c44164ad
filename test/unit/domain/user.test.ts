import { expect } from 'chai';
import { NAME_MAX_CODE_POINTS, nameProblem } from '../../../src/domain/user.js';

describe('domain: user name', () => {
  it('accepts up to 100 code points and refuses 101', () => {
    expect(NAME_MAX_CODE_POINTS).to.equal(100);
    expect(nameProblem('n'.repeat(100))).to.equal(null);
    expect(nameProblem('n'.repeat(101))).to.be.a('string');
  });

  it('counts code points, not UTF-16 units: 100 emoji are accepted', () => {
    expect(nameProblem('😀'.repeat(100))).to.equal(null);
    expect(nameProblem('😀'.repeat(101))).to.be.a('string');
  });

  it('accepts an empty name', () => {
    expect(nameProblem('')).to.equal(null);
  });
});
