// Fleet targets: --host specs, inventories (plain list, Ansible INI and YAML with groups,
// children, vars and ranges; errors with file:line) and --limit patterns, table-driven. Hostile
// input (option-looking names, shell metacharacters, huge ranges, garbage) is refused, never thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseHostSpec, targetText } from '../../../src/fleet/target.js';
import { expandHostRange, parseInventory } from '../../../src/fleet/inventory.js';
import { applyLimit } from '../../../src/fleet/limit.js';

test('--host: [user@]host[:port], IPv6 in brackets; option-like or metacharacter names refused', () => {
  const ok: [string, { address: string; user?: string; port?: number }][] = [
    ['pve1', { address: 'pve1' }],
    ['root@pve1', { address: 'pve1', user: 'root' }],
    ['root@10.0.0.1:2222', { address: '10.0.0.1', user: 'root', port: 2222 }],
    ['pve1.example.org:22', { address: 'pve1.example.org', port: 22 }],
    ['[2001:db8::1]:2200', { address: '2001:db8::1', port: 2200 }],
    ['admin@[::1]', { address: '::1', user: 'admin' }],
    ['::1', { address: '::1' }],
  ];
  for (const [spec, want] of ok) {
    const r = parseHostSpec(spec);
    assert.ok(r.ok, `${spec}: ${r.ok ? '' : r.message}`);
    assert.deepEqual({ address: r.value.address, user: r.value.user, port: r.value.port }, { address: want.address, user: want.user, port: want.port }, spec);
  }
  const bad: [string, RegExp][] = [
    ['-oProxyCommand=sh', /not a host name/],
    ['root@-oProxyCommand=x', /not a host name/],
    ['-l@host', /not a valid user/],
    ['pve1:0', /not a port/],
    ['pve1:65536', /not a port/],
    ['pve1:ssh', /not a port/],
    ['pve 1', /not a host name/],
    ['pve1;reboot', /not a host name/],
    ['$(reboot)@pve1', /not a valid user/],
    ['[not-v6]:22', /not a host name|not an IPv6/],
    ['', /expected/],
  ];
  for (const [spec, re] of bad) {
    const r = parseHostSpec(spec);
    assert.equal(r.ok, false, spec);
    if (!r.ok) assert.match(r.message, re, spec);
  }
  assert.equal(targetText({ address: '::1', port: 22, user: 'root' }), 'root@[::1]:22');
});

test('plain list: one [user@]host[:port] per line, comments and blanks', () => {
  const r = parseInventory('# fleet\npve1\nroot@pve2:2222\n\n10.0.0.3 # a VM\n', 'hosts.txt');
  assert.ok(r.ok);
  assert.deepEqual(r.targets.map((t) => [t.name, t.address, t.user, t.port, t.source]), [
    ['pve1', 'pve1', undefined, undefined, 'hosts.txt:2'],
    ['pve2', 'pve2', 'root', 2222, 'hosts.txt:3'],
    ['10.0.0.3', '10.0.0.3', undefined, undefined, 'hosts.txt:5'],
  ]);
});

test('Ansible INI: groups, children, group vars, host vars, ranges, ports; host vars win', () => {
  const ini = [
    'bastion ansible_host=192.0.2.1',
    '[pve]',
    'pve[1:3] ansible_user=root',
    '[web]',
    'web[01:02].lan:2222',
    'db ansible_host="10.0.0.9" ansible_port=2200 ansible_user=ops',
    '[servers:children]',
    'pve',
    'web',
    '[servers:vars]',
    'ansible_user=admin',
    '[web:vars]',
    'ansible_user = deploy',
  ].join('\n');
  const r = parseInventory(ini, 'inv.ini');
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  const by = new Map(r.targets.map((t) => [t.name, t]));
  assert.deepEqual([...by.keys()], ['bastion', 'pve1', 'pve2', 'pve3', 'web01.lan', 'web02.lan', 'db']);
  assert.equal(by.get('bastion')!.address, '192.0.2.1');
  assert.deepEqual(by.get('bastion')!.groups, ['all', 'ungrouped']);
  assert.equal(by.get('pve2')!.user, 'root'); // host var beats servers:vars
  assert.deepEqual(by.get('pve2')!.groups, ['all', 'pve', 'servers']);
  assert.equal(by.get('web01.lan')!.port, 2222);
  assert.equal(by.get('web01.lan')!.user, 'deploy'); // the child group's vars beat the parent's
  assert.deepEqual([by.get('db')!.address, by.get('db')!.port, by.get('db')!.user], ['10.0.0.9', 2200, 'ops']);
  assert.equal(by.get('pve3')!.source, 'inv.ini:3');
});

test('Ansible YAML: all/hosts/children/vars, nested groups, null hosts, line numbers', () => {
  const yml = [
    'all:',
    '  vars:',
    '    ansible_user: root',
    '  hosts:',
    '    bastion:',
    '      ansible_host: 192.0.2.1',
    '  children:',
    '    pve:',
    '      hosts:',
    '        pve1:',
    '        pve2: { ansible_port: 2222 }',
    '      children:',
    '        pve_lab:',
    '          hosts:',
    '            lab[a:b]:',
    '          vars: { ansible_user: lab }',
  ].join('\n');
  const r = parseInventory(yml, 'inv.yml');
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors));
  assert.deepEqual(r.targets.map((t) => `${t.name}|${t.user}|${t.port ?? ''}|${t.groups.join(',')}|${t.source}`), [
    'bastion|root||all|inv.yml:5',
    'pve1|root||all,pve|inv.yml:10',
    'pve2|root|2222|all,pve|inv.yml:11',
    'laba|lab||all,pve,pve_lab|inv.yml:15',
    'labb|lab||all,pve,pve_lab|inv.yml:15',
  ]);
  assert.ok(r.groups.has('pve_lab'));
});

test('inventory errors carry file:line; hostile values are refused', () => {
  const cases: [string, string, RegExp, number][] = [
    ['inv.ini', '[pve]\npve1 ansible_host=-oProxyCommand=sh\n', /ansible_host "-oProxyCommand=sh"/, 2],
    ['inv.ini', '[pve\npve1\n', /bad section header/, 1],
    ['inv.ini', 'ok\nbad;name\n', /not a valid host name/, 2],
    ['inv.ini', 'h ansible_port=99999\n', /ansible_port "99999"/, 1],
    ['inv.ini', 'h ansible_user=$(id)\n', /ansible_user/, 1],
    ['inv.ini', 'h[1:999999]\n', /larger than/, 1],
    ['inv.ini', "h key='unbalanced\n", /unbalanced quotes/, 1],
    ['inv.yml', 'all:\n  hosts:\n    - a\n', /hosts of "all" must be a mapping/, 2],
    ['inv.yml', 'all:\n  hostz: {}\n', /unknown key "hostz"/, 2],
    ['inv.yml', 'all:\n  hosts: {a: 1\n', /Flow map/, 3], // noticed at the end of input
    ['inv.yml', '- just\n- a list\n', /mapping of groups/, 1],
  ];
  for (const [file, text, re, line] of cases) {
    const r = parseInventory(text, file);
    assert.equal(r.ok, false, text);
    if (!r.ok) {
      assert.match(r.errors[0]!.message, re, text);
      assert.equal(r.errors[0]!.file, file);
      assert.equal(r.errors[0]!.line, line, text);
    }
  }
  assert.equal(parseInventory('x'.repeat(5 << 20), 'big').ok, false);
});

test('ranges: zero padding, letters, stride, refusal', () => {
  assert.deepEqual(expandHostRange('n[08:10].x'), ['n08.x', 'n09.x', 'n10.x']);
  assert.deepEqual(expandHostRange('n[0:10:5]'), ['n0', 'n5', 'n10']);
  assert.deepEqual(expandHostRange('[a:c]'), ['a', 'b', 'c']);
  assert.deepEqual(expandHostRange('r[1:2]c[1:2]'), ['r1c1', 'r1c2', 'r2c1', 'r2c2']);
  assert.equal(typeof expandHostRange('n[5:1]'), 'string');
  assert.equal(typeof expandHostRange('n[1:100][1:100][1:100]'), 'string');
});

test('--limit: hosts, groups, globs, unions with , and :, & intersections, ! exclusions', () => {
  const inv = parseInventory('[pve]\npve1\npve2\npve3\n[web]\nweb1\nweb2\n[prod]\npve1\nweb1\n', 'i');
  assert.ok(inv.ok);
  const names = (p: string) => {
    const r = applyLimit(inv.targets, p);
    return r.ok ? r.value.map((t) => t.name).join(' ') : `ERR ${r.message}`;
  };
  const table: [string, string][] = [
    ['all', 'pve1 pve2 pve3 web1 web2'],
    ['pve', 'pve1 pve2 pve3'],
    ['pve:web1', 'pve1 pve2 pve3 web1'],
    ['web1,pve2', 'pve2 web1'],
    ['pve:!pve2', 'pve1 pve3'],
    ['pve:&prod', 'pve1'],
    ['all:!prod', 'pve2 pve3 web2'],
    ['!prod', 'pve2 pve3 web2'],
    ['pve[12]', 'pve1 pve2'],
    ['web*', 'web1 web2'],
    ['pv*:&prod', 'pve1'],
    ['p*:&prod', 'pve1 web1'], // a glob matches groups too: prod's members
    ['pve?', 'pve1 pve2 pve3'],
  ];
  for (const [p, want] of table) assert.equal(names(p), want, p);
  assert.match(names('pvee'), /"pvee" matches no host or group/);
  assert.match(names('~pve.*'), /regular expressions/);
  assert.match(names('pve:!pve'), /no host left/);
});

test('the parsers never throw on arbitrary text', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.constantFrom('i.ini', 'i.yml', 'hosts'), (text, file) => {
      const r = parseInventory(text, file);
      if (r.ok) for (const t of r.targets) assert.ok(!t.address.startsWith('-'));
      parseHostSpec(text);
      applyLimit([], text || 'x');
    }),
    { numRuns: 500 },
  );
});
