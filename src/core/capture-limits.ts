/**
 * How long each piece of visitor text may be (characters). Apart from capture.ts so the widget,
 * which caps what it sends by the same figures, carries none of the app's checks.
 */
export const LIMITS = {
  id: 64,
  url: 2048,
  title: 300,
  tz: 64,
  language: 35,
  languages: 10,
  ua: 512,
  hint: 100,
  brands: 10,
  name: 80,
  message: 4000,
} as const;
