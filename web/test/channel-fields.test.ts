/** The channel form's checks: per-kind required settings, clear errors, secrets kept unless retyped. */
import { describe, expect, it } from 'vitest';
import { checkChannel, visibleFields } from '../src/routes/(app)/channels/channel-fields.ts';

describe('channel form checks', () => {
  it('builds an email config per provider and removes hidden settings', () => {
    expect(
      checkChannel('email', {
        provider: 'mailgun',
        region: 'eu',
        domain: 'mg.example.com',
        from: 'Vibe <alerts@example.com>',
        to: 'a@example.com, b@example.com',
        api_key: ' key-1 ',
      }),
    ).toEqual({
      ok: true,
      config: {
        provider: 'mailgun',
        region: 'eu',
        domain: 'mg.example.com',
        from: 'Vibe <alerts@example.com>',
        to: ['a@example.com', 'b@example.com'],
        api_key: 'key-1',
      },
    });
    expect(visibleFields('email', { provider: 'postmark' }).map((f) => f.key)).toEqual([
      'provider',
      'from',
      'to',
      'api_key',
    ]);
    expect(
      checkChannel('email', {
        provider: 'postmark',
        region: 'eu',
        from: 'a@example.com',
        to: 'b@example.com',
        api_key: 'k',
      }),
    ).toEqual({
      ok: true,
      config: {
        provider: 'postmark',
        from: 'a@example.com',
        to: ['b@example.com'],
        api_key: 'k',
        region: null,
        domain: null,
      },
    });
  });

  it('names each wrong setting and what to enter', () => {
    expect(checkChannel('email', { provider: 'resend', from: 'nobody', to: 'ops@example.com, nope' })).toEqual({
      ok: false,
      errors: {
        from: 'Enter an address, or Name <address>',
        to: '“nope” is not an email address',
        api_key: 'API key is required',
      },
    });
    expect(checkChannel('telegram', { bot_token: 'abc', chat_id: 'my chat' })).toEqual({
      ok: false,
      errors: {
        bot_token: 'A bot token looks like 123456789:AAE…, from @BotFather',
        chat_id: 'Enter a chat ID (e.g. -1001234567890) or a channel username (@mychannel)',
      },
    });
    expect(checkChannel('teams', { url: 'not a url' })).toEqual({
      ok: false,
      errors: { url: 'Enter a full URL starting with https://' },
    });
    expect(checkChannel('ntfy', { topic: 'a b' })).toMatchObject({
      ok: false,
      errors: { topic: expect.stringMatching(/^A topic holds/) },
    });
  });

  it('keeps a stored secret unless it is typed again, and requires one that was never set', () => {
    expect(checkChannel('pagerduty', { region: 'eu' }, ['routing_key'])).toEqual({
      ok: true,
      config: { region: 'eu' },
    });
    expect(checkChannel('pagerduty', { region: 'eu' })).toEqual({
      ok: false,
      errors: { routing_key: 'Integration key (Events API v2) is required' },
    });
    expect(checkChannel('ntfy', { topic: 'alerts', server: '', token: '' }, [])).toEqual({
      ok: true,
      config: { topic: 'alerts', server: null },
    });
  });
});
