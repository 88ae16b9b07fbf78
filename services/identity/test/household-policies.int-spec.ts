import { accountRequest, openAccount as openAccountOver } from './support/household';
import { useIdentity, type IdentityUnderTest } from './support/identity-app';

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe("a household's Away Mode, quiet hours and sensitive contacts over HTTP", () => {
  let identity: IdentityUnderTest;

  const fixture = useIdentity();
  beforeAll(() => {
    ({ identity } = fixture);
  });

  const openAccount = (timezone?: string) => openAccountOver(identity, { displayName: 'The Okafors', timezone });
  const household = async (accountId: string) => (await identity.call('GET', `/v1/accounts/${accountId}`)).body;
  const eventsOf = async (accountId: string) =>
    (await identity.db.query(`SELECT type, data FROM es_events WHERE stream_id = $1 ORDER BY stream_version`, [`account-${accountId}`]))
      .map((e: { type: string; data: object }) => e);

  it('turns Away Mode on until a time and off again, each change an event, and shows it', async () => {
    const accountId = await openAccount();
    expect((await household(accountId)).awayMode).toEqual({ enabled: false, until: null });
    const until = inAnHour();
    expect(await identity.call('PUT', `/v1/accounts/${accountId}/away-mode`, { enabled: true, until })).toEqual({
      status: 200, body: { awayMode: { enabled: true, until } },
    });
    expect((await household(accountId)).awayMode).toEqual({ enabled: true, until });
    expect(await identity.call('PUT', `/v1/accounts/${accountId}/away-mode`, { enabled: false })).toEqual({
      status: 200, body: { awayMode: { enabled: false, until: null } },
    });
    expect((await household(accountId)).awayMode).toEqual({ enabled: false, until: null });
    expect((await eventsOf(accountId)).slice(1)).toEqual([
      { type: 'AwayModeChanged', data: { accountId, enabled: true, until } },
      { type: 'AwayModeChanged', data: { accountId, enabled: false, until: null } },
    ]);
  });

  it('records nothing new when Away Mode is set again as it is', async () => {
    const accountId = await openAccount();
    for (let i = 0; i < 2; i++) {
      expect(await identity.call('PUT', `/v1/accounts/${accountId}/away-mode`, { enabled: true })).toMatchObject({ status: 200 });
    }
    expect((await eventsOf(accountId)).map((e: { type: string }) => e.type)).toEqual(['AccountOpened', 'AwayModeChanged']);
  });

  it('sets quiet hours in local time, shows them, and clears them with []', async () => {
    const accountId = await openAccount('Europe/Berlin');
    const windows = [{ start: '22:00', end: '07:00' }, { days: ['sat', 'sun'], start: '13:00', end: '15:30' }];
    expect(await identity.call('PUT', `/v1/accounts/${accountId}/quiet-hours`, { windows })).toEqual({ status: 200, body: { quietHours: windows } });
    expect(await household(accountId)).toMatchObject({ timezone: 'Europe/Berlin', quietHours: windows });
    expect(await identity.call('PUT', `/v1/accounts/${accountId}/quiet-hours`, { windows: [] })).toEqual({ status: 200, body: { quietHours: [] } });
    expect((await household(accountId)).quietHours).toEqual([]);
    expect((await eventsOf(accountId)).slice(1)).toEqual([
      { type: 'QuietHoursChanged', data: { accountId, windows } },
      { type: 'QuietHoursChanged', data: { accountId, windows: [] } },
    ]);
  });

  it("adds a sensitive contact and shows each contact's flag", async () => {
    const accountId = await openAccount();
    const bank = await identity.call('POST', `/v1/accounts/${accountId}/contacts`, { name: 'Bank', number: '+1 555 010 0900', sensitive: true });
    const mom = await identity.call('POST', `/v1/accounts/${accountId}/contacts`, { name: 'Mom', number: '+1 555 010 0142' });
    expect([bank.status, mom.status]).toEqual([201, 201]);
    expect((await household(accountId)).contacts).toMatchObject([{ name: 'Bank', sensitive: true }, { name: 'Mom', sensitive: false }]);
    expect((await eventsOf(accountId)).slice(1).map((e: { data: object }) => e.data)).toMatchObject([{ sensitive: true }, { sensitive: false }]);
  });

  it('gives an owner answer_sensitive by default, and shows it', async () => {
    const accountId = await openAccount();
    await identity.call('POST', `/v1/accounts/${accountId}/members`, { name: 'Ada', role: 'owner' });
    expect((await household(accountId)).members[0].grants).toContain('answer_sensitive');
  });

  describe('refusals, as problem details with a stable code', () => {
    let accountId: string;
    beforeAll(async () => {
      accountId = await openAccount();
    });
    const away = (body: unknown) => identity.call('PUT', `/v1/accounts/${accountId}/away-mode`, body);
    const quiet = (windows: unknown) => identity.call('PUT', `/v1/accounts/${accountId}/quiet-hours`, { windows });
    const invalid = (path: string) => ({ status: 400, body: { code: 'invalid_request', issues: expect.arrayContaining([expect.objectContaining({ path })]) } });

    it('refuses an Away Mode that would end in the past, or after the year 9999 in UTC', async () => {
      expect(await away({ enabled: true, until: '2020-01-01T00:00:00Z' })).toMatchObject({ status: 400, body: { code: 'until_in_past' } });
      // The year 10000 in UTC, which an event's timestamp cannot say (it was a 500).
      expect(await away({ enabled: true, until: '9999-12-31T23:30:00-01:00' })).toMatchObject({ status: 400, body: { code: 'until_out_of_range' } });
      expect(await away({ enabled: true, until: '9999-12-31T23:30:00Z' })).toMatchObject({ status: 200 });
    });

    it('refuses an end that is no ISO-8601 time with an offset, an end for turning it off, and unknown fields', async () => {
      expect(await away({ enabled: true, until: 'tomorrow' })).toMatchObject(invalid('until'));
      expect(await away({ enabled: true, until: '2030-01-01T09:00:00' })).toMatchObject(invalid('until'));
      expect(await away({ enabled: false, until: inAnHour() })).toMatchObject(invalid('until'));
      expect(await away({ enabled: 'yes' })).toMatchObject(invalid('enabled'));
      expect(await away({ enabled: true, untill: inAnHour() })).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    });

    it.each([
      ['a time that is not HH:mm', [{ start: '7:00', end: '22:00' }], 'windows.0.start'],
      ['an hour past 23', [{ start: '22:00', end: '24:00' }], 'windows.0.end'],
      ['a day that does not exist', [{ days: ['mon', 'funday'], start: '22:00', end: '07:00' }], 'windows.0.days.1'],
      ['a day listed twice', [{ start: '22:00', end: '07:00' }, { days: ['sat', 'sat'], start: '13:00', end: '15:00' }], 'windows.1.days'],
      ['a window that starts and ends at the same minute', [{ start: '22:00', end: '22:00' }], 'windows.0.end'],
      ['an empty list of days', [{ days: [], start: '22:00', end: '07:00' }], 'windows.0.days'],
      ['a misspelt field', [{ start: '22:00', end: '07:00', day: ['mon'] }], 'windows.0'],
      ['more than 14 windows', Array.from({ length: 15 }, () => ({ start: '22:00', end: '07:00' })), 'windows'],
    ])('refuses quiet hours with %s', async (_case, windows, path) => {
      expect(await quiet(windows)).toMatchObject(invalid(path));
    });

    it('refuses windows that are not a list, and leaves the quiet hours as they were', async () => {
      expect(await quiet({ start: '22:00', end: '07:00' })).toMatchObject(invalid('windows'));
      expect((await household(accountId)).quietHours).toEqual([]);
    });

    it('refuses a sensitive flag that is not a boolean', async () => {
      const contact = await identity.call('POST', `/v1/accounts/${accountId}/contacts`, { name: 'Bank', number: '+15550100900', sensitive: 'yes' });
      expect(contact).toMatchObject(invalid('sensitive'));
    });

    it('answers 404 for an account that does not exist', async () => {
      const missing = '00000000-0000-4000-8000-000000000000';
      expect(await identity.call('PUT', `/v1/accounts/${missing}/away-mode`, { enabled: true })).toMatchObject({ status: 404, body: { code: 'account_not_found' } });
      expect(await identity.call('PUT', `/v1/accounts/${missing}/quiet-hours`, { windows: [] })).toMatchObject({ status: 404, body: { code: 'account_not_found' } });
    });

    it.each(['+01:00', 'Mars/Olympus', 'EST+5', 'America/New_York/'])('refuses %s as an account time zone', async (timezone) => {
      const opened = await identity.call('POST', '/v1/accounts', accountRequest({ displayName: 'X', timezone }));
      expect(opened).toMatchObject(invalid('timezone'));
    });

    it('accepts the zones of the IANA database, including UTC and renamed ones', async () => {
      for (const timezone of ['UTC', 'Europe/Kyiv', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']) {
        expect(await identity.call('POST', '/v1/accounts', accountRequest({ displayName: 'X', timezone }))).toMatchObject({ status: 201 });
      }
    });
  });
});
