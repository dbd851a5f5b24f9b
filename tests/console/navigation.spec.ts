import { describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLES, type Role } from '../../application/roles';
import type { Permission } from '../../console/src/api';
import { findingActionsFor, pagesFor } from '../../console/src/navigation';

/** What GET /me answers for a role: the PERMISSIONS lists that name it. */
const permissionsOf = (role: Role) => Object.entries(PERMISSIONS).filter(([, roles]) => (roles as readonly Role[]).includes(role)).map(([name]) => name as Permission);
const pagesOf = (role: Role) => pagesFor(permissionsOf(role)).map((page) => page.id);

describe('the navigation a role sees', () => {
  it('shows each role the pages its permissions open, and no other', () => {
    expect(Object.fromEntries(ROLES.map((role) => [role, pagesOf(role)]))).toEqual({
      sales_rep: ['pipeline', 'kpis'],
      sales_manager: ['pipeline', 'kpis', 'compliance'],
      finance: ['pipeline', 'kpis'],
      compliance_officer: ['pipeline', 'kpis', 'compliance', 'customers', 'streams'],
      auditor: ['pipeline', 'kpis', 'compliance', 'customers', 'streams'],
      analyst: ['pipeline', 'kpis', 'compliance'],
      admin: ['pipeline', 'kpis', 'compliance', 'customers', 'streams'],
      support_agent: ['kpis'],
    });
  });

  it("offers the finding actions the role's route gates allow: waiving to the compliance office alone, none to an auditor", () => {
    expect(findingActionsFor(permissionsOf('compliance_officer'))).toEqual(['acknowledge', 'remediate', 'waive', 'close']);
    expect(findingActionsFor(permissionsOf('sales_manager'))).toEqual(['acknowledge', 'remediate']);
    expect(findingActionsFor(permissionsOf('admin'))).toEqual(['acknowledge', 'remediate', 'close']);
    expect(findingActionsFor(permissionsOf('auditor'))).toEqual([]);
  });
});
