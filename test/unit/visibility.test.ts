import * as assert from 'node:assert/strict';
import { aggregateScope, can, canRead, type Directory, type Member, readScope, redactedNode } from '../../src/core/access/visibility';

// acme: team A = users 1 (lead), 2, 3; team B = users 4 (lead), 5; user 6 is an auditor, 7 an admin.
// globex: user 8, a developer in its own team A.
const teams: Record<string, Record<string, number[]>> = { acme: { A: [1, 2, 3], B: [4, 5] }, globex: { A: [8] } };
const dir: Directory = { teamMembers: (org, team) => teams[org]?.[team] ?? [] };
const member = (userId: number, org: string, role: Member['role'], teamsOf: string[], leads: string[] = []): Member => ({ userId, org, role, teams: teamsOf, leads });

const records = [
  ...[1, 2, 3, 4, 5, 6, 7].map((u) => ({ org: 'acme', uploaderUserId: u, id: `acme-${u}` })),
  { org: 'globex', uploaderUserId: 8, id: 'globex-8' },
];
const readable = (m: Member) => records.filter((r) => canRead(readScope(m, dir), r)).map((r) => r.id);

describe('team visibility', () => {
  it('a developer reads only their own records, and sees their team’s aggregates', () => {
    const dev = member(2, 'acme', 'developer', ['A']);
    assert.deepEqual(readable(dev), ['acme-2']);
    assert.deepEqual(aggregateScope(dev, dir), { kind: 'users', org: 'acme', userIds: [1, 2, 3] });
    assert.equal(can.export(dev), false);
  });

  it('a lead reads the records of the teams they lead, not of other teams', () => {
    const leadA = member(1, 'acme', 'lead', ['A'], ['A']);
    assert.deepEqual(readable(leadA), ['acme-1', 'acme-2', 'acme-3']);
    const leadB = member(4, 'acme', 'lead', ['B'], ['B']);
    assert.deepEqual(readable(leadB), ['acme-4', 'acme-5']);
    assert.ok(!readable(leadB).some((id) => ['acme-1', 'acme-2', 'acme-3'].includes(id)), 'team B’s lead reads nothing of team A');
  });

  it('auditors and admins read their whole org, never another org', () => {
    assert.deepEqual(readable(member(6, 'acme', 'auditor', [])), ['acme-1', 'acme-2', 'acme-3', 'acme-4', 'acme-5', 'acme-6', 'acme-7']);
    assert.deepEqual(readable(member(7, 'acme', 'admin', [])), readable(member(6, 'acme', 'auditor', [])));
    assert.deepEqual(readable(member(8, 'globex', 'developer', ['A'])), ['globex-8'], 'a team named A in another org is another team');
    assert.equal(can.manageUsers(member(6, 'acme', 'auditor', [])), false);
    assert.equal(can.export(member(6, 'acme', 'auditor', [])), true);
    assert.equal(can.readAuditLog(member(1, 'acme', 'lead', ['A'], ['A'])), false);
  });

  it('a lineage node outside the scope shows that it exists and nothing else', () => {
    assert.deepEqual(redactedNode('ed_1'), { id: 'ed_1', kind: 'redacted', reason: 'outside your access' });
  });
});
