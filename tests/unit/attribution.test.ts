import { describe, expect, it } from 'vitest';
import {
  attributionOf,
  channelOf,
  isExternalReferrer,
  isPaid,
  sourceDomain,
  sourceMediumOf,
  UTM_MAX,
} from '../../src/core/attribution.ts';
import { knownSource } from '../../src/core/known-sources.ts';
import { CLICK_IDS, type Channel, type ClickIds, type Utm } from '../../src/core/utm.ts';
import { SIGNAL_BIT } from '../../src/core/scoring.ts';
import { appReferrer } from '../../src/core/url.ts';
import { visitScoring } from '../../src/core/visit-signals.ts';

const page = (query: string): string => `https://demo.example/landing${query}`;

describe('attributionOf: UTMs', () => {
  it.each<{ name: string; query: string; utm: Utm }>([
    {
      name: 'reads all five fields',
      query:
        '?utm_source=linkedin&utm_medium=paid_social&utm_campaign=launch&utm_content=hero&utm_term=crm',
      utm: {
        source: 'linkedin',
        medium: 'paid_social',
        campaign: 'launch',
        content: 'hero',
        term: 'crm',
      },
    },
    {
      name: 'matches names case-insensitively and keeps the value’s case',
      query: '?UTM_SOURCE=Google&Utm_Medium=CPC',
      utm: { source: 'Google', medium: 'CPC' },
    },
    {
      name: 'decodes percent escapes and + as a space',
      query: '?utm_campaign=spring%20sale%2B&utm_term=caf%C3%A9+au+lait',
      utm: { campaign: 'spring sale+', term: 'café au lait' },
    },
    {
      name: 'decodes percent-encoded parameter names',
      query: '?utm%5Fsource=reddit',
      utm: { source: 'reddit' },
    },
    {
      name: 'keeps malformed escapes as written instead of failing',
      query: '?utm_medium=100%&utm_source=ok',
      utm: { medium: '100%', source: 'ok' },
    },
    {
      name: 'drops empty and blank values',
      query: '?utm_source=&utm_medium=%20%20&utm_campaign=x',
      utm: { campaign: 'x' },
    },
    {
      name: 'keeps the first non-empty value of a duplicated field',
      query: '?utm_source=&utm_source=first&utm_source=second',
      utm: { source: 'first' },
    },
    {
      name: 'trims values',
      query: '?utm_source=%20%20newsletter%20',
      utm: { source: 'newsletter' },
    },
    {
      name: 'strips control characters, bidi overrides and zero-width marks',
      query: '?utm_source=li%00nked%1Bin%E2%80%AE%E2%80%8B&utm_medium=e%0Amail',
      utm: { source: 'linkedin', medium: 'email' },
    },
    {
      name: 'ignores other utm_ parameters and the fragment',
      query: '?utm_id=42&utm_source_platform=x#utm_source=hash',
      utm: {},
    },
    { name: 'gives nothing without a query', query: '', utm: {} },
  ])('$name', ({ query, utm }) => {
    expect(attributionOf(page(query)).utm).toEqual(utm);
  });

  it('caps overly long values', () => {
    const { utm } = attributionOf(page(`?utm_campaign=${'x'.repeat(5000)}`));
    expect(utm.campaign).toHaveLength(UTM_MAX);
  });

  it.each(['', 'not a url', 'javascript:alert(1)?utm_source=x', '/relative?utm_source=x'])(
    'gives nothing for the non-http URL %j',
    (url) => {
      expect(attributionOf(url)).toEqual({ utm: {}, clickIds: {} });
    },
  );
});

describe('attributionOf: click ids', () => {
  it.each<{ name: string; query: string; ids: ClickIds }>([
    { name: 'reads gclid', query: '?gclid=Cj0KCQ', ids: { gclid: 'Cj0KCQ' } },
    {
      name: 'reads several ids',
      query: '?fbclid=IwAR&msclkid=m1&li_fat_id=l1&ttclid=t1&twclid=w1',
      ids: { fbclid: 'IwAR', msclkid: 'm1', li_fat_id: 'l1', ttclid: 't1', twclid: 'w1' },
    },
    {
      name: 'matches names case-insensitively under their canonical name',
      query: '?GCLID=a&sccid=b',
      ids: { gclid: 'a', ScCid: 'b' },
    },
    { name: 'drops empty ids', query: '?gclid=&wbraid=w', ids: { wbraid: 'w' } },
    { name: 'keeps the first of duplicates', query: '?gclid=one&gclid=two', ids: { gclid: 'one' } },
    { name: 'strips control characters', query: '?dclid=d%00%0A1', ids: { dclid: 'd1' } },
    { name: 'ignores unknown parameters', query: '?ref=ph&clid=x&utm_source=y', ids: {} },
  ])('$name', ({ query, ids }) => {
    expect(attributionOf(page(query)).clickIds).toEqual(ids);
  });

  it('caps overly long ids', () => {
    expect(attributionOf(page(`?gclid=${'a'.repeat(3000)}`)).clickIds.gclid).toHaveLength(256);
  });

  it('captures at least the ids SPEC §4 lists', () => {
    for (const id of [
      'gclid',
      'gbraid',
      'wbraid',
      'dclid',
      'msclkid',
      'fbclid',
      'li_fat_id',
      'ttclid',
      'twclid',
    ]) {
      expect(CLICK_IDS).toContain(id);
    }
  });
});

describe('isPaid', () => {
  it.each<{ name: string; utm: Utm; ids: ClickIds; paid: boolean }>([
    { name: 'gclid', utm: {}, ids: { gclid: 'x' }, paid: true },
    { name: 'gbraid', utm: {}, ids: { gbraid: 'x' }, paid: true },
    { name: 'wbraid', utm: {}, ids: { wbraid: 'x' }, paid: true },
    { name: 'dclid', utm: {}, ids: { dclid: 'x' }, paid: true },
    { name: 'msclkid', utm: {}, ids: { msclkid: 'x' }, paid: true },
    { name: 'li_fat_id', utm: {}, ids: { li_fat_id: 'x' }, paid: true },
    { name: 'ttclid', utm: {}, ids: { ttclid: 'x' }, paid: true },
    { name: 'twclid', utm: {}, ids: { twclid: 'x' }, paid: true },
    {
      name: 'fbclid alone (Facebook tags ordinary links too)',
      utm: {},
      ids: { fbclid: 'x' },
      paid: false,
    },
    {
      name: 'fbclid with a paid medium',
      utm: { medium: 'paid_social' },
      ids: { fbclid: 'x' },
      paid: true,
    },
    { name: 'medium cpc', utm: { medium: 'cpc' }, ids: {}, paid: true },
    { name: 'medium PPC in capitals', utm: { medium: 'PPC' }, ids: {}, paid: true },
    { name: 'medium cpm', utm: { medium: 'cpm' }, ids: {}, paid: true },
    { name: 'medium cpv', utm: { medium: 'cpv' }, ids: {}, paid: true },
    { name: 'medium paid_social', utm: { medium: 'paid_social' }, ids: {}, paid: true },
    { name: 'medium paidsearch', utm: { medium: 'paidsearch' }, ids: {}, paid: true },
    { name: 'medium retargeting', utm: { medium: 'retargeting' }, ids: {}, paid: true },
    { name: 'medium email', utm: { medium: 'email' }, ids: {}, paid: false },
    { name: 'medium social', utm: { medium: 'social' }, ids: {}, paid: false },
    { name: 'medium unpaid', utm: { medium: 'unpaid' }, ids: {}, paid: false },
    {
      name: 'medium retargeting-list (not exact)',
      utm: { medium: 'retargeting-list' },
      ids: {},
      paid: false,
    },
    { name: 'nothing', utm: {}, ids: {}, paid: false },
  ])('$name → $paid', ({ utm, ids, paid }) => {
    expect(isPaid(utm, ids)).toBe(paid);
  });
});

describe('knownSource', () => {
  it.each<[string, string, string]>([
    ['google.com', 'Google', 'search'],
    ['www.google.com', 'Google', 'search'],
    ['www.google.co.uk', 'Google', 'search'],
    ['google.de', 'Google', 'search'],
    ['www.google.com.au', 'Google', 'search'],
    ['www.bing.com', 'Bing', 'search'],
    ['duckduckgo.com', 'DuckDuckGo', 'search'],
    ['search.yahoo.com', 'Yahoo', 'search'],
    ['www.baidu.com', 'Baidu', 'search'],
    ['yandex.ru', 'Yandex', 'search'],
    ['www.ecosia.org', 'Ecosia', 'search'],
    ['www.linkedin.com', 'LinkedIn', 'social'],
    ['lnkd.in', 'LinkedIn', 'social'],
    ['www.facebook.com', 'Facebook', 'social'],
    ['l.facebook.com', 'Facebook', 'social'],
    ['lm.facebook.com', 'Facebook', 'social'],
    ['m.facebook.com', 'Facebook', 'social'],
    ['l.instagram.com', 'Instagram', 'social'],
    ['t.co', 'X (Twitter)', 'social'],
    ['x.com', 'X (Twitter)', 'social'],
    ['twitter.com', 'X (Twitter)', 'social'],
    ['old.reddit.com', 'Reddit', 'social'],
    ['www.youtube.com', 'YouTube', 'video'],
    ['youtu.be', 'YouTube', 'video'],
    ['producthunt.com', 'ProductHunt', 'community'],
    ['www.producthunt.com', 'ProductHunt', 'community'],
    ['news.ycombinator.com', 'Hacker News', 'community'],
    ['github.com', 'GitHub', 'community'],
    ['mail.google.com', 'Gmail', 'email'],
    ['outlook.live.com', 'Outlook', 'email'],
    ['mail.yahoo.com', 'Yahoo Mail', 'email'],
    ['WWW.LinkedIn.com', 'LinkedIn', 'social'],
    ['https://www.producthunt.com/posts/converge', 'ProductHunt', 'community'],
    ['linkedin.com/feed', 'LinkedIn', 'social'],
    ['www.amazon.science', 'Amazon', 'shopping'],
    ['m.google.co.in', 'Google', 'search'],
    ['www.ebay.com.au', 'eBay', 'shopping'],
  ])('host %s → %s (%s)', (host, name, kind) => {
    expect(knownSource(host)).toEqual({ name, kind });
  });

  it.each<[string, string]>([
    ['google', 'Google'],
    ['Google', 'Google'],
    ['linkedin', 'LinkedIn'],
    ['LinkedIn', 'LinkedIn'],
    ['fb', 'Facebook'],
    ['ig', 'Instagram'],
    ['producthunt', 'ProductHunt'],
    ['product_hunt', 'ProductHunt'],
    ['Product Hunt', 'ProductHunt'],
    ['ph', 'ProductHunt'],
    ['hn', 'Hacker News'],
    ['twitter', 'X (Twitter)'],
    ['email', 'Email'],
    ['e-mail', 'Email'],
    ['e_mail', 'Email'],
    ['e mail', 'Email'],
  ])('utm_source %j → %s', (value, name) => {
    expect(knownSource(value)?.name).toBe(name);
  });

  it.each([
    'notgoogle.com',
    'google.evil.com',
    'google.com.evil.io',
    'mygoogle.co.uk',
    'linkedin.com.evil.io',
    'fakelinkedin.com',
    'evil-lnkd.in',
    'producthunt.com.example',
    'notproducthunt.com',
    'xt.co',
    'ycombinator.com.evil',
    'news.google.com',
    'docs.google.com',
    'google.com.de',
    'www.google.co.com',
    'google.github.io',
    'google.zz',
    'demo.example',
    'newsletter-tool',
    '',
    '   ',
  ])('does not match the look-alike or unknown %j', (value) => {
    expect(knownSource(value)).toBeUndefined();
  });
});

describe('sourceDomain', () => {
  it.each([
    ['https://demo.example/?utm_source=linkedin', 'demo.example'],
    ['https://www.demo.example/pricing', 'demo.example'],
    ['https://app.demo.example/', 'app.demo.example'],
    ['http://localhost:5174/demo/', 'localhost'],
    ['https://WWW.Shop.Example:8443/x', 'shop.example'],
    ['https://www.example.co.uk/x', 'example.co.uk'],
    ['https://shop.example.co.uk/x', 'shop.example.co.uk'],
    ['https://www.github.io/', 'www.github.io'],
    ['http://127.0.0.1:8080/', '127.0.0.1'],
    ['http://[::1]:3000/', '[::1]'],
    ['', ''],
    ['javascript:alert(1)', ''],
  ])('%s → %j', (url, domain) => {
    expect(sourceDomain(url)).toBe(domain);
  });
});

describe('isExternalReferrer', () => {
  it.each([
    { referrer: '', url: 'https://demo.example/', external: false },
    { referrer: 'https://demo.example/blog', url: 'https://demo.example/pricing', external: false },
    { referrer: 'https://www.demo.example/', url: 'https://demo.example/', external: false },
    { referrer: 'https://demo.example/', url: 'https://www.demo.example/', external: false },
    { referrer: 'https://blog.demo.example/', url: 'https://demo.example/', external: false },
    { referrer: 'http://demo.example:8080/', url: 'https://demo.example/', external: false },
    { referrer: 'https://www.google.com/', url: 'https://demo.example/', external: true },
    { referrer: 'https://demo.example.evil.com/', url: 'https://demo.example/', external: true },
    { referrer: 'https://other.co.uk/', url: 'https://demo.co.uk/', external: true },
    { referrer: 'https://alice.github.io/', url: 'https://bob.github.io/', external: true },
    { referrer: 'not a url', url: 'https://demo.example/', external: false },
    {
      referrer: 'https://shop.example.co.uk/',
      url: 'https://www.example.co.uk/',
      external: false,
    },
    {
      referrer: 'https://shop.example.com.au/',
      url: 'https://example.com.au/',
      external: false,
    },
    { referrer: 'https://a.example.ltd.uk/', url: 'https://b.other.ltd.uk/', external: true },
    { referrer: 'https://alice.gitbook.io/', url: 'https://bob.gitbook.io/', external: true },
    { referrer: 'https://www.github.io/', url: 'https://github.io/', external: true },
    { referrer: 'http://localhost:3000/', url: 'http://localhost:5173/', external: false },
    { referrer: 'http://127.0.0.1/', url: 'http://127.0.0.2/', external: true },
    { referrer: 'http://[::1]:3000/', url: 'http://[::1]:5173/', external: false },
  ])('$referrer → $url: $external', ({ referrer, url, external }) => {
    expect(isExternalReferrer(referrer, url)).toBe(external);
  });
});

describe('channelOf (GA4 default channel grouping, in GA4 order)', () => {
  it.each<{ name: string; query?: string; referrer?: string; channel: Channel }>([
    { name: 'no referrer, no UTMs', channel: 'Direct' },
    { name: 'internal navigation', referrer: 'https://demo.example/blog', channel: 'Direct' },
    {
      name: 'internal navigation from www.',
      referrer: 'https://www.demo.example/',
      channel: 'Direct',
    },
    { name: 'only utm_campaign', query: '?utm_campaign=launch', channel: 'Direct' },
    {
      name: 'the issue’s LinkedIn paid_social link',
      query: '?utm_source=linkedin&utm_medium=paid_social&utm_campaign=launch',
      channel: 'Paid Social',
    },
    { name: 'google / cpc', query: '?utm_source=google&utm_medium=cpc', channel: 'Paid Search' },
    {
      name: 'google / cpm is Paid Search (paid rule precedes Display)',
      query: '?utm_source=google&utm_medium=cpm',
      channel: 'Paid Search',
    },
    { name: 'gclid alone', query: '?gclid=abc', channel: 'Paid Search' },
    { name: 'gbraid alone', query: '?gbraid=abc', channel: 'Paid Search' },
    { name: 'msclkid alone', query: '?msclkid=abc', channel: 'Paid Search' },
    {
      name: 'gclid from google.com',
      query: '?gclid=abc',
      referrer: 'https://www.google.com/',
      channel: 'Paid Search',
    },
    { name: 'li_fat_id alone', query: '?li_fat_id=abc', channel: 'Paid Social' },
    { name: 'ttclid alone', query: '?ttclid=abc', channel: 'Paid Social' },
    { name: 'twclid alone', query: '?twclid=abc', channel: 'Paid Social' },
    { name: 'fbclid alone', query: '?fbclid=abc', channel: 'Organic Social' },
    {
      name: 'fbclid via l.facebook.com',
      query: '?fbclid=abc',
      referrer: 'https://l.facebook.com/',
      channel: 'Organic Social',
    },
    {
      name: 'fbclid with a paid medium',
      query: '?fbclid=abc&utm_medium=cpc',
      channel: 'Paid Social',
    },
    { name: 'dclid alone', query: '?dclid=abc', channel: 'Display' },
    { name: 'youtube / cpv', query: '?utm_source=youtube&utm_medium=cpv', channel: 'Paid Video' },
    { name: 'medium display', query: '?utm_source=adnet&utm_medium=display', channel: 'Display' },
    { name: 'medium banner', query: '?utm_source=adnet&utm_medium=banner', channel: 'Display' },
    {
      name: 'medium cpm from an unknown source',
      query: '?utm_source=adnet&utm_medium=cpm',
      channel: 'Display',
    },
    {
      name: 'medium cpc from an unknown source',
      query: '?utm_source=adnet&utm_medium=cpc',
      channel: 'Paid Other',
    },
    { name: 'medium retargeting', query: '?utm_medium=retargeting', channel: 'Paid Other' },
    {
      name: 'Cross-network campaign falls to the paid rules',
      query: '?utm_source=google&utm_medium=cpc&utm_campaign=cross-network',
      channel: 'Paid Search',
    },
    {
      name: 'linkedin post',
      referrer: 'https://www.linkedin.com/feed/',
      channel: 'Organic Social',
    },
    { name: 'lnkd.in short link', referrer: 'https://lnkd.in/abc', channel: 'Organic Social' },
    { name: 't.co', referrer: 'https://t.co/xyz', channel: 'Organic Social' },
    {
      name: 'medium social',
      query: '?utm_source=mastodon.example&utm_medium=social',
      channel: 'Organic Social',
    },
    { name: 'medium sm', query: '?utm_source=someplace&utm_medium=sm', channel: 'Organic Social' },
    {
      name: 'ProductHunt referrer',
      referrer: 'https://www.producthunt.com/posts/x',
      channel: 'Organic Social',
    },
    { name: 'utm_source=producthunt', query: '?utm_source=producthunt', channel: 'Organic Social' },
    {
      name: 'Hacker News referrer',
      referrer: 'https://news.ycombinator.com/item?id=1',
      channel: 'Organic Social',
    },
    {
      name: 'YouTube referrer',
      referrer: 'https://www.youtube.com/watch?v=1',
      channel: 'Organic Video',
    },
    {
      name: 'medium video',
      query: '?utm_source=somesite&utm_medium=product-video',
      channel: 'Organic Video',
    },
    { name: 'Google search', referrer: 'https://www.google.com/', channel: 'Organic Search' },
    { name: 'Google UK search', referrer: 'https://www.google.co.uk/', channel: 'Organic Search' },
    { name: 'Bing search', referrer: 'https://www.bing.com/search?q=x', channel: 'Organic Search' },
    { name: 'DuckDuckGo', referrer: 'https://duckduckgo.com/', channel: 'Organic Search' },
    {
      name: 'medium organic',
      query: '?utm_source=somewhere&utm_medium=organic',
      channel: 'Organic Search',
    },
    {
      name: 'utm_medium=email',
      query: '?utm_source=newsletter&utm_medium=email',
      channel: 'Email',
    },
    { name: 'utm_source=e-mail', query: '?utm_source=e-mail', channel: 'Email' },
    {
      name: 'utm_source=newsletter without medium',
      query: '?utm_source=newsletter',
      channel: 'Email',
    },
    { name: 'Gmail referrer', referrer: 'https://mail.google.com/', channel: 'Email' },
    { name: 'Outlook referrer', referrer: 'https://outlook.live.com/', channel: 'Email' },
    {
      name: 'medium affiliate',
      query: '?utm_source=partner&utm_medium=affiliate',
      channel: 'Affiliates',
    },
    { name: 'another site', referrer: 'https://blog.other.example/post', channel: 'Referral' },
    { name: 'a look-alike of Google', referrer: 'https://notgoogle.com/', channel: 'Referral' },
    { name: 'medium link', query: '?utm_source=partner&utm_medium=link', channel: 'Referral' },
    { name: 'medium audio', query: '?utm_source=podcast&utm_medium=audio', channel: 'Other' },
    { name: 'medium sms', query: '?utm_source=sms&utm_medium=sms', channel: 'Other' },
    { name: 'an unknown source without medium', query: '?utm_source=qr-flyer', channel: 'Other' },
  ])('$name → $channel', ({ query = '', referrer = '', channel }) => {
    expect(channelOf({ url: page(query), referrer })).toBe(channel);
  });

  it('takes source and medium from UTMs, then the referrer, then click ids', () => {
    expect(sourceMediumOf({ url: page('?gclid=1'), referrer: '' })).toEqual({
      source: 'google',
      medium: 'cpc',
      campaign: '',
    });
    expect(sourceMediumOf({ url: page(''), referrer: 'https://www.google.com/' })).toEqual({
      source: 'www.google.com',
      medium: 'organic',
      campaign: '',
    });
    expect(
      sourceMediumOf({
        url: page('?utm_source=LinkedIn&utm_campaign=Launch'),
        referrer: 'https://x.example/',
      }),
    ).toEqual({
      source: 'linkedin',
      medium: 'referral',
      campaign: 'launch',
    });
  });
});

describe('app referrers (android-app://)', () => {
  const page = 'https://acme.example/pricing';
  it.each<[string, string, Channel, string]>([
    ['LinkedIn', 'android-app://com.linkedin.android/', 'Organic Social', 'referral'],
    [
      'the Google app',
      'android-app://com.google.android.googlequicksearchbox/',
      'Organic Search',
      'organic',
    ],
    ['Gmail', 'android-app://com.google.android.gm/', 'Email', 'referral'],
    ['Facebook', 'android-app://com.facebook.katana/', 'Organic Social', 'referral'],
    ['an app it does not know', 'android-app://com.example.reader/', 'Referral', 'referral'],
  ])('attributes a visit from %s', (_, referrer, channel, medium) => {
    expect(channelOf({ url: page, referrer })).toBe(channel);
    expect(sourceMediumOf({ url: page, referrer })).toMatchObject({
      source: referrer.slice(14, -1),
      medium,
    });
    expect(isExternalReferrer(referrer, page)).toBe(true);
  });

  it('gives a LinkedIn-app visit the LinkedIn signal and the external referrer', () => {
    const { signals } = visitScoring({
      url: page,
      referrer: 'android-app://com.linkedin.android/',
    });
    expect(signals & SIGNAL_BIT.productHuntOrLinkedIn).toBeTruthy();
    expect(signals & SIGNAL_BIT.externalReferrer).toBeTruthy();
  });

  it('reduces a referrer to its app, and keeps nothing else that is not http(s)', () => {
    expect(appReferrer('android-app://com.LinkedIn.android/path?x=1')).toBe(
      'android-app://com.linkedin.android/',
    );
    expect(appReferrer('android-app://com.slack')).toBe('android-app://com.slack/');
    for (const bad of [
      'android-app://',
      'android-app://nodots/',
      'javascript:alert(1)',
      'ios-app://123/x',
    ]) {
      expect(appReferrer(bad)).toBe('');
    }
  });
});
