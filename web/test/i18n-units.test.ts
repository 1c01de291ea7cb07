/** The message catalogue, the request language and locale-aware formatting: pure, no servers. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { translate } from '../../supabase/functions/_shared/i18n/translate.ts';
import { alertDetail, messageTitle, toAlertItem } from '../../supabase/functions/dispatch-notifications/message.ts';
import { catalogueProblems, placeholders } from '../scripts/check-messages.ts';
import { CATALOGUE_DIR } from '../scripts/i18n.ts';
import { ago, bytes, dateTime, duration, metricValue, num, percent, rate } from '../src/lib/format.ts';
import { fromAcceptLanguage, pickLocale } from '../src/lib/locale.ts';
import { m } from '../src/lib/paraglide/messages.js';
import { statusText } from '../src/lib/terms.ts';

const read = (l: string) => JSON.parse(readFileSync(path.join(CATALOGUE_DIR, `${l}.json`), 'utf8'));

describe('request language', () => {
  it('takes the best supported language of Accept-Language by quality, then position', () => {
    expect(fromAcceptLanguage('ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7')).toBe('ko');
    expect(fromAcceptLanguage('fr-FR, en;q=0.5, ko;q=0.8')).toBe('ko');
    expect(fromAcceptLanguage('de, fr;q=0.9')).toBeNull();
    expect(fromAcceptLanguage('ko;q=0, en')).toBe('en');
    expect(fromAcceptLanguage('')).toBeNull();
    expect(fromAcceptLanguage(null)).toBeNull();
  });

  it('prefers the saved choice, then the browser cookie, then Accept-Language, then English', () => {
    expect(pickLocale({ saved: 'ko', cookie: 'en', acceptLanguage: 'en' })).toBe('ko');
    expect(pickLocale({ saved: 'xx', cookie: 'ko', acceptLanguage: 'en' })).toBe('ko');
    expect(pickLocale({ saved: undefined, cookie: 'fr', acceptLanguage: 'ko-KR' })).toBe('ko');
    expect(pickLocale({ acceptLanguage: 'ja' })).toBe('en');
    expect(pickLocale({})).toBe('en');
  });
});

describe('catalogue', () => {
  it('has every key in both languages with the same placeholders', () => {
    expect(catalogueProblems(read('en'), read('ko'), 'ko')).toEqual([]);
  });

  it('reports a missing key, an extra key, an empty text and a placeholder mismatch', () => {
    const base = { a: 'Hello {name}', b: 'Bye', c: 'Count {n}' };
    const other = { a: '안녕 {nom}', c: '', d: 'extra' };
    expect(catalogueProblems(base, other, 'ko')).toEqual([
      'ko: "a" uses {nom} but the base text uses {name}',
      'ko: missing translation of "b"',
      'ko: "c" must be a non-empty text',
      'ko: "d" is not in the base catalogue',
    ]);
  });

  it('reads the inputs of plural forms', () => {
    expect(placeholders(read('en').host_count)).toEqual(['count']);
    expect(placeholders('{b} and {a} and {b}')).toEqual(['a', 'b']);
  });

  it('renders messages per locale, plural forms included', () => {
    expect(m.host_count({ count: 1 }, { locale: 'en' })).toBe('1 host');
    expect(m.host_count({ count: 3 }, { locale: 'en' })).toBe('3 hosts');
    expect(m.host_count({ count: 3 }, { locale: 'ko' })).toBe('호스트 3대');
    expect(statusText('healthy')).toBe('healthy');
    expect(statusText('unknown-value')).toBe('unknown-value');
  });
});

describe('formatting per locale', () => {
  it('keeps the English forms', () => {
    expect(duration(93784, 'en')).toBe('1d 2h');
    expect(ago('2025-06-01T12:00:00Z', Date.parse('2025-06-01T12:03:10Z'), 'en')).toBe('3m ago');
    expect(ago(null, Date.now(), 'en')).toBe('never');
    expect(num(12345.67, 1, 'en')).toBe('12,345.7');
  });

  it('writes Korean durations, relative times, dates and numbers', () => {
    expect(duration(93784, 'ko')).toBe('1일 2시간');
    expect(duration(0, 'ko')).toBe('0초');
    expect(ago('2025-06-01T12:00:00Z', Date.parse('2025-06-01T12:03:10Z'), 'ko')).toBe('3분 전');
    expect(ago(undefined, Date.now(), 'ko')).toBe('없음');
    const d = new Date(2025, 5, 1, 12, 0, 5);
    expect(dateTime(d, 'ko')).toBe('2025. 06. 01. 12:00:05');
    expect(dateTime(d, 'en')).toBe('06/01/2025, 12:00:05');
    expect(percent(42.46, 'ko')).toBe('42.5%');
    expect(bytes(1536, 'ko')).toBe('1.5 KB');
    expect(rate(1048576, 'ko')).toBe('1 MB/s');
    expect(metricValue('host_down', 3, 'ko')).toBe('3회 누락');
  });
});

describe('notifications in the team language', () => {
  const event = {
    id: 7,
    kind: 'firing',
    severity: 'critical',
    rule_name: 'cpu high',
    metric: 'cpu_total',
    value: 97.25,
    threshold: 90,
    host_id: 'h1',
    reason: null,
    occurred_at: '2025-06-01T12:00:00Z',
  };
  const message = (locale: 'en' | 'ko', alerts = [toAlertItem(event, { name: 'web-1' }, 'http://x', locale)]) => ({
    type: 'alert' as const,
    channel: { id: 'c', name: 'ops', kind: 'webhook' },
    teamId: 't',
    alerts,
    idempotencyKey: 'k',
    dashboardUrl: 'http://x',
    createdAt: '2025-06-01T12:00:00Z',
    locale,
  });

  it('renders titles and detail lines from the shared catalogue', () => {
    expect(messageTitle(message('en'))).toBe('Critical: cpu high on web-1');
    expect(messageTitle(message('ko'))).toBe('심각: web-1의 cpu high');
    expect(alertDetail(message('ko').alerts[0]!)).toBe('cpu_total = 97.3 (임계값 90)');
    expect(messageTitle({ ...message('ko'), type: 'test', alerts: [] })).toBe('채널 "ops" 테스트 메시지');
    const two = [
      toAlertItem(event, null, 'http://x', 'ko'),
      toAlertItem({ ...event, kind: 'resolved' }, null, 'http://x', 'ko'),
    ];
    expect(messageTitle(message('ko', two))).toBe('알림 2건: 발생 1건, 해결 1건');
    expect(two[0]!.hostName).toBe('알 수 없는 호스트');
  });

  it('fills placeholders and falls back to the base locale', () => {
    expect(translate('en', 'notify_group', { count: 2, parts: '1 firing, 1 resolved' })).toBe(
      '2 alerts: 1 firing, 1 resolved',
    );
    // A placeholder without a value stays visible rather than vanishing.
    expect(translate('ko', 'notify_title', { kind: '심각', rule: 'r' })).toBe('심각: {subject}의 r');
    expect(() => translate('en', 'host_count')).toThrow(/plural forms/);
  });
});
