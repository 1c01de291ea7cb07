/** Generated hostile requests against /rest/v1: malformed filters, selects, orders, bodies, headers and RPC calls. */

/** One hostile HTTP request; `token` picks who sends it. */
export interface HostileRequest {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  token: 'agent' | 'viewer' | 'anon';
}

const COLUMNS = ['cpu_total', 'ts', 'host_id', 'mem_total', 'detail'] as const;
// Values no column of the matching type accepts, by column.
const BAD_VALUES: Record<(typeof COLUMNS)[number], string[]> = {
  cpu_total: ['gt.abc', 'eq.1;drop table hosts', 'lt.NaNx', 'gte.1e99999x', 'in.(1,two,3)'],
  ts: ['gt.not-a-date', 'lt.2025-13-45', 'eq.yesterday-ish', 'gte.1e10', "eq.'; select pg_sleep(5); --"],
  host_id: ['eq.not-a-uuid', 'eq.', 'in.(a,b)', 'eq.00000000-0000-0000-0000-00000000000g', 'neq.1 or 1=1'],
  mem_total: ['gt.99999999999999999999999999', 'eq.1.5.5', 'lt.--1', 'in.(1,,)'],
  detail: ['cs.{not json', 'cd.[1,', 'eq.{"a":'],
};
const BAD_OPERATORS = [
  'gtx.1',
  'eq',
  'is.maybe',
  'like',
  'in.1,2',
  'not.',
  'not.zz.1',
  'fts(klingon).x',
  'cs.',
  'ov.1',
  'sl.(1',
  'match.(',
  'imatch.[[',
  'any.1',
  'isdistinct',
];
const BAD_SELECTS = [
  'nope',
  'cpu_total,nope',
  'cpu_total::nosuchtype',
  'hosts(nope)',
  'no_such_table(*)',
  '*,hosts!inner(',
  'cpu_total)',
  '(cpu_total',
  'a:b:c',
  'cpu_total->>',
  'cpu_total;select 1',
  'sum(',
  'cpu_total.sum(.',
  '*,teams(*,channel_secrets(*',
];
const BAD_ORDERS = [
  'nope',
  'cpu_total.sideways',
  'cpu_total.asc.nullsmiddle',
  'cpu_total.desc.x.y',
  ';drop',
  'cpu_total,',
  '.asc',
];
const BAD_PAGING = ['limit=-1', 'limit=abc', 'offset=-5', 'offset=1e3x', 'limit=1.5'];

/** GET filters, selects, orders and paging on host_samples: each invalid, so each must be refused. */
function readCases(): HostileRequest[] {
  const out: HostileRequest[] = [];
  for (const col of COLUMNS)
    for (const v of BAD_VALUES[col])
      out.push({
        name: `filter ${col}=${v}`,
        method: 'GET',
        path: `/rest/v1/host_samples?${col}=${encodeURIComponent(v)}`,
        token: 'agent',
      });
  for (const op of BAD_OPERATORS)
    out.push({
      name: `operator cpu_total=${op}`,
      method: 'GET',
      path: `/rest/v1/host_samples?cpu_total=${encodeURIComponent(op)}`,
      token: 'agent',
    });
  for (const s of BAD_SELECTS)
    out.push({
      name: `select=${s}`,
      method: 'GET',
      path: `/rest/v1/host_samples?select=${encodeURIComponent(s)}`,
      token: 'viewer',
    });
  for (const o of BAD_ORDERS)
    out.push({
      name: `order=${o}`,
      method: 'GET',
      path: `/rest/v1/host_samples?order=${encodeURIComponent(o)}`,
      token: 'viewer',
    });
  for (const p of BAD_PAGING)
    out.push({ name: `paging ${p}`, method: 'GET', path: `/rest/v1/host_samples?${p}`, token: 'viewer' });
  out.push(
    { name: 'unknown column filter', method: 'GET', path: '/rest/v1/host_samples?no_such_column=eq.1', token: 'agent' },
    { name: 'unknown table', method: 'GET', path: '/rest/v1/no_such_table', token: 'agent' },
    { name: 'private schema table', method: 'GET', path: '/rest/v1/edge_function_settings', token: 'agent' },
    {
      name: 'Accept-Profile private',
      method: 'GET',
      path: '/rest/v1/edge_function_settings',
      headers: { 'accept-profile': 'private' },
      token: 'viewer',
    },
    {
      name: 'Accept-Profile auth',
      method: 'GET',
      path: '/rest/v1/users',
      headers: { 'accept-profile': 'auth' },
      token: 'viewer',
    },
    {
      name: 'Accept: text/csv on a table',
      method: 'GET',
      path: '/rest/v1/hosts',
      headers: { accept: 'application/x-nope' },
      token: 'viewer',
    },
    {
      name: 'or= unbalanced',
      method: 'GET',
      path: `/rest/v1/host_samples?or=${encodeURIComponent('(cpu_total.gt.1,ts.lt.')}`,
      token: 'viewer',
    },
    {
      name: 'and= garbage',
      method: 'GET',
      path: `/rest/v1/host_samples?and=${encodeURIComponent('cpu_total.gt.1')}`,
      token: 'viewer',
    },
    { name: 'anon reads hosts', method: 'GET', path: '/rest/v1/hosts?select=id', token: 'anon' },
    { name: 'anon reads channel_secrets', method: 'GET', path: '/rest/v1/channel_secrets', token: 'anon' },
    {
      name: 'very long filter value',
      method: 'GET',
      path: `/rest/v1/host_samples?host_id=eq.${'a'.repeat(6000)}`,
      token: 'viewer',
    },
  );
  return out;
}

const now = () => new Date().toISOString();

/** POST bodies to host_samples: malformed JSON, wrong types, out-of-range values, other hosts, unknown columns. */
function writeCases(hostId: string, otherHostId: string): HostileRequest[] {
  const row = (extra: Record<string, unknown>) => JSON.stringify({ host_id: hostId, ts: now(), ...extra });
  const bodies: [string, string][] = [
    ['truncated JSON', '{"host_id": "'],
    ['open array', '['],
    ['bare word', 'nul'],
    ['JSON string', '"hello"'],
    ['JSON number', '42'],
    ['JSON null', 'null'],
    ['array of nulls', '[null,null]'],
    ['trailing comma', `{"host_id":"${hostId}",}`],
    ['NaN literal', `{"host_id":"${hostId}","cpu_total":NaN}`],
    ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ['unknown column', row({ no_such_column: 1 })],
    ['cpu_total as text', row({ cpu_total: 'abc' })],
    ['cpu_total as object', row({ cpu_total: { $gt: 1 } })],
    ['cpu_total as array', row({ cpu_total: [1, 2] })],
    ['cpu_total above 100', row({ cpu_total: 101 })],
    ['cpu_total negative', row({ cpu_total: -1 })],
    ['cpu_total 1e400', `{"host_id":"${hostId}","ts":"${now()}","cpu_total":1e400}`],
    ['mem_used above total', row({ mem_total: 10, mem_used: 11 })],
    ['bigint overflow', row({ mem_total: '99999999999999999999999' })],
    ['negative counter', row({ net_connections: -5 })],
    ['cpu_cores out of range', row({ cpu_cores: [50, 101] })],
    ['cpu_cores not an array', row({ cpu_cores: 'x' })],
    ['temperature implausible', row({ temp_c: 9000 })],
    ['detail not an object', row({ detail: [1, 2, 3] })],
    ['detail as a string', row({ detail: 'text' })],
    ['ts not a date', JSON.stringify({ host_id: hostId, ts: 'tomorrow', cpu_total: 1 })],
    ['ts far in the future', JSON.stringify({ host_id: hostId, ts: '2999-01-01T00:00:00Z', cpu_total: 1 })],
    ['ts missing', JSON.stringify({ host_id: hostId, cpu_total: 1 })],
    ['host_id missing', JSON.stringify({ ts: now(), cpu_total: 1 })],
    ['host_id not a uuid', JSON.stringify({ host_id: 'x', ts: now() })],
    ['another team host', JSON.stringify({ host_id: otherHostId, ts: now(), cpu_total: 1 })],
    ['unknown host', JSON.stringify({ host_id: '00000000-0000-4000-8000-00000000abcd', ts: now(), cpu_total: 1 })],
    [
      'batch with one bad row',
      JSON.stringify([
        { host_id: hostId, ts: now(), cpu_total: 5 },
        { host_id: hostId, ts: now(), cpu_total: 500 },
      ]),
    ],
    [
      'batch with one foreign row',
      JSON.stringify([
        { host_id: hostId, ts: now(), cpu_total: 5 },
        { host_id: otherHostId, ts: now(), cpu_total: 5 },
      ]),
    ],
    ['generated column written', row({ mem_percent: 50 })],
    ['null byte in detail', row({ detail: { k: 'a\u0000b' } })],
    ['lone surrogate', `{"host_id":"${hostId}","ts":"${now()}","detail":{"k":"\\ud800"}}`],
  ];
  const out: HostileRequest[] = bodies.map(([name, body]) => ({
    name: `insert: ${name}`,
    method: 'POST',
    path: '/rest/v1/host_samples',
    headers: { 'content-type': 'application/json', prefer: 'return=minimal' },
    body,
    token: 'agent',
  }));
  out.push(
    {
      name: 'insert as text/plain',
      method: 'POST',
      path: '/rest/v1/host_samples',
      headers: { 'content-type': 'text/plain' },
      body: 'cpu_total=1',
      token: 'agent',
    },
    {
      name: 'insert as xml',
      method: 'POST',
      path: '/rest/v1/host_samples',
      headers: { 'content-type': 'application/xml' },
      body: '<a/>',
      token: 'agent',
    },
    {
      name: 'csv with bad header',
      method: 'POST',
      path: '/rest/v1/host_samples',
      headers: { 'content-type': 'text/csv' },
      body: 'nope,cols\n1,2',
      token: 'agent',
    },
    {
      name: 'columns= unknown',
      method: 'POST',
      path: '/rest/v1/host_samples?columns=nope',
      headers: { 'content-type': 'application/json' },
      body: row({ cpu_total: 1 }),
      token: 'agent',
    },
    {
      name: 'on_conflict unknown column',
      method: 'POST',
      path: '/rest/v1/host_samples?on_conflict=nope',
      headers: { 'content-type': 'application/json', prefer: 'resolution=merge-duplicates' },
      body: row({ cpu_total: 1 }),
      token: 'agent',
    },
    {
      name: 'viewer inserts a sample',
      method: 'POST',
      path: '/rest/v1/host_samples',
      headers: { 'content-type': 'application/json' },
      body: row({ cpu_total: 1 }),
      token: 'viewer',
    },
    {
      name: 'anon inserts a sample',
      method: 'POST',
      path: '/rest/v1/host_samples',
      headers: { 'content-type': 'application/json' },
      body: row({ cpu_total: 1 }),
      token: 'anon',
    },
    {
      name: 'agent deletes samples',
      method: 'DELETE',
      path: `/rest/v1/host_samples?host_id=eq.${hostId}`,
      token: 'agent',
    },
    {
      name: 'agent updates samples',
      method: 'PATCH',
      path: `/rest/v1/host_samples?host_id=eq.${hostId}`,
      headers: { 'content-type': 'application/json' },
      body: '{"cpu_total":1}',
      token: 'agent',
    },
    {
      name: 'viewer adds a member',
      method: 'POST',
      path: '/rest/v1/team_members',
      headers: { 'content-type': 'application/json' },
      body: '{"team_id":"00000000-0000-4000-8000-000000000000","user_id":"00000000-0000-4000-8000-000000000000","role":"owner"}',
      token: 'viewer',
    },
    {
      name: 'viewer writes channel_secrets',
      method: 'POST',
      path: '/rest/v1/channel_secrets',
      headers: { 'content-type': 'application/json' },
      body: '{"channel_id":"00000000-0000-4000-8000-000000000000","team_id":"00000000-0000-4000-8000-000000000000","config":{}}',
      token: 'viewer',
    },
    {
      name: 'PUT without a full key filter',
      method: 'PUT',
      path: '/rest/v1/host_samples',
      headers: { 'content-type': 'application/json' },
      body: row({ cpu_total: 1 }),
      token: 'agent',
    },
    { name: 'unknown method', method: 'PROPFIND', path: '/rest/v1/host_samples', token: 'agent' },
    {
      name: 'Prefer: tx=rollback plus bad body',
      method: 'POST',
      path: '/rest/v1/host_samples',
      headers: { 'content-type': 'application/json', prefer: 'tx=rollback' },
      body: '{',
      token: 'agent',
    },
    {
      name: 'update with a null body',
      method: 'PATCH',
      path: `/rest/v1/hosts?id=eq.${hostId}`,
      headers: { 'content-type': 'application/json' },
      body: 'null',
      token: 'agent',
    },
    {
      name: 'CSV headers-only insert of a bad row',
      method: 'POST',
      path: '/rest/v1/host_samples',
      headers: { 'content-type': 'application/json', accept: 'text/csv', prefer: 'return=headers-only' },
      body: row({ cpu_total: 500 }),
      token: 'agent',
    },
    {
      name: 'Content-Profile private',
      method: 'POST',
      path: '/rest/v1/edge_function_settings',
      headers: { 'content-type': 'application/json', 'content-profile': 'private' },
      body: '{"functions_url":"https://evil.example","service_key":"x"}',
      token: 'viewer',
    },
  );
  return out;
}

/** RPC calls the API roles must not make, or make with bad arguments. */
function rpcCases(hostId: string): HostileRequest[] {
  const post = (name: string, fn: string, body: string, token: HostileRequest['token'] = 'viewer'): HostileRequest => ({
    name: `rpc ${name}`,
    method: 'POST',
    path: `/rest/v1/rpc/${fn}`,
    headers: { 'content-type': 'application/json' },
    body,
    token,
  });
  return [
    post('unknown function', 'no_such_function', '{}'),
    post('claim_enrollment_token (server only)', 'claim_enrollment_token', '{"p_token":"x"}'),
    post(
      'attach_agent_user (server only)',
      'attach_agent_user',
      '{"p_token_id":"00000000-0000-4000-8000-000000000000","p_user_id":"00000000-0000-4000-8000-000000000000"}',
    ),
    post('claim_notifications (server only)', 'claim_notifications', '{}'),
    post('apply_anomaly_results (server only)', 'apply_anomaly_results', '{"p_results":[]}'),
    post('create_host as viewer', 'create_host', `{"p_team_id":"00000000-0000-4000-8000-000000000000","p_name":"x"}`),
    post(
      'create_enrollment_token for a host of my team as viewer',
      'create_enrollment_token',
      `{"p_host_id":"${hostId}"}`,
    ),
    post('create_enrollment_token as agent', 'create_enrollment_token', `{"p_host_id":"${hostId}"}`, 'agent'),
    post(
      'create_enrollment_token bad interval',
      'create_enrollment_token',
      `{"p_host_id":"${hostId}","p_valid_for":"forever"}`,
    ),
    post('metrics_range unknown argument', 'metrics_range', '{"p_nope":1}'),
    post('metrics_range bad JSON', 'metrics_range', '{"p_host_id":'),
    post('metrics_range null body', 'metrics_range', 'null'),
    post('metrics_range array body', 'metrics_range', '[{"p_host_id":"x"}]'),
    post('backtest_rule not a uuid', 'backtest_rule', '{"p_rule_id":"x","p_from":"2025-01-01T00:00:00Z"}'),
    post(
      'anon create_host',
      'create_host',
      '{"p_team_id":"00000000-0000-4000-8000-000000000000","p_name":"x"}',
      'anon',
    ),
  ];
}

/**
 * Writes that row-level security filters out: PostgREST answers them 2xx with no row affected (or 4xx when
 * the role lacks the privilege), never by changing a row. Sent with return=representation so the answer shows it.
 */
export function filteredWriteCases(hostId: string): HostileRequest[] {
  const json = { 'content-type': 'application/json', prefer: 'return=representation' };
  return [
    {
      name: 'agent renames its host',
      method: 'PATCH',
      path: `/rest/v1/hosts?id=eq.${hostId}`,
      headers: json,
      body: '{"name":"pwned"}',
      token: 'agent',
    },
    {
      name: 'agent moves its host to another team',
      method: 'PATCH',
      path: `/rest/v1/hosts?id=eq.${hostId}`,
      headers: json,
      body: '{"team_id":"00000000-0000-4000-8000-000000000000"}',
      token: 'agent',
    },
    {
      name: 'agent deletes its host',
      method: 'DELETE',
      path: `/rest/v1/hosts?id=eq.${hostId}`,
      headers: json,
      token: 'agent',
    },
    {
      name: 'viewer deletes hosts',
      method: 'DELETE',
      path: `/rest/v1/hosts?id=eq.${hostId}`,
      headers: json,
      token: 'viewer',
    },
    {
      name: 'viewer renames hosts',
      method: 'PATCH',
      path: '/rest/v1/hosts?name=neq.x',
      headers: json,
      body: '{"name":"pwned"}',
      token: 'viewer',
    },
    {
      name: 'viewer renames the team',
      method: 'PATCH',
      path: '/rest/v1/teams?name=neq.x',
      headers: json,
      body: '{"name":"pwned"}',
      token: 'viewer',
    },
    {
      name: 'viewer promotes itself',
      method: 'PATCH',
      path: '/rest/v1/team_members?role=eq.viewer',
      headers: json,
      body: '{"role":"owner"}',
      token: 'viewer',
    },
    {
      name: 'viewer deletes members',
      method: 'DELETE',
      path: '/rest/v1/team_members?role=neq.x',
      headers: json,
      token: 'viewer',
    },
    {
      name: 'viewer disables alert rules',
      method: 'PATCH',
      path: '/rest/v1/alert_rules?name=neq.x',
      headers: json,
      body: '{"enabled":false}',
      token: 'viewer',
    },
    {
      name: 'viewer deletes channels',
      method: 'DELETE',
      path: '/rest/v1/channels?name=neq.x',
      headers: json,
      token: 'viewer',
    },
    {
      name: 'viewer acknowledges notifications',
      method: 'PATCH',
      path: '/rest/v1/notifications?status=neq.x',
      headers: json,
      body: '{"status":"sent"}',
      token: 'viewer',
    },
    {
      name: 'agent rewrites its latest snapshot',
      method: 'PATCH',
      path: `/rest/v1/host_latest?host_id=eq.${hostId}`,
      headers: json,
      body: '{"cpu_total":1}',
      token: 'agent',
    },
    {
      name: 'agent deletes enrollment tokens',
      method: 'DELETE',
      path: `/rest/v1/enrollment_tokens?host_id=eq.${hostId}`,
      headers: json,
      token: 'agent',
    },
  ];
}

/** All REST cases for one team whose agent owns `hostId`; `otherHostId` belongs to another team. */
export function restCases(hostId: string, otherHostId: string): HostileRequest[] {
  return [...readCases(), ...writeCases(hostId, otherHostId), ...rpcCases(hostId)];
}

/** Bodies for POST /functions/v1/enroll-agent that must all be refused without using any token. */
export function enrollCases(validPrefixToken: string): HostileRequest[] {
  const post = (
    name: string,
    body: string | undefined,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ): HostileRequest => ({
    name: `enroll: ${name}`,
    method: 'POST',
    path: '/functions/v1/enroll-agent',
    headers,
    ...(body === undefined ? {} : { body }),
    token: 'anon',
  });
  return [
    post('no body', undefined),
    post('empty body', ''),
    post('truncated JSON', '{"token":'),
    post('JSON array', '["token"]'),
    post('JSON string', '"token"'),
    post('token missing', '{}'),
    post('token null', '{"token":null}'),
    post('token number', '{"token":12345}'),
    post('token array', '{"token":["a"]}'),
    post('token object', '{"token":{"$ne":""}}'),
    post('token empty', '{"token":""}'),
    post('token spaces', '{"token":"   "}'),
    post('token 100 kB', JSON.stringify({ token: 'x'.repeat(100_000) })),
    post('token SQL injection', JSON.stringify({ token: "' or 1=1; --" })),
    post('token with NUL', JSON.stringify({ token: 'vibe_enroll_\u0000abc' })),
    post('token unicode', JSON.stringify({ token: 'vibe_enroll_ÿ😀'.padEnd(44, 'é') })),
    post('unknown token of the right shape', JSON.stringify({ token: validPrefixToken })),
    post('unknown token, hostile name', JSON.stringify({ token: validPrefixToken, name: '<script>'.repeat(200) })),
    post('name as object', JSON.stringify({ token: validPrefixToken, name: { a: 1 } })),
    post('text/plain body', 'token=abc', { 'content-type': 'text/plain' }),
    post('form body', 'token=abc', { 'content-type': 'application/x-www-form-urlencoded' }),
    { name: 'enroll: GET', method: 'GET', path: '/functions/v1/enroll-agent', token: 'anon' },
    {
      name: 'enroll: PUT',
      method: 'PUT',
      path: '/functions/v1/enroll-agent',
      headers: { 'content-type': 'application/json' },
      body: '{"token":"x"}',
      token: 'anon',
    },
    { name: 'enroll: DELETE', method: 'DELETE', path: '/functions/v1/enroll-agent', token: 'anon' },
  ];
}
