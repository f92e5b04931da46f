import { describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/app/config.ts';

describe('config.json', () => {
  it('gives WebRTC no ICE servers unless the host names some', () => {
    expect(parseConfig({ relayUrl: 'https://relay.example' })).toEqual({
      relayUrl: 'https://relay.example',
      iceServers: [],
    });
  });

  it("takes the host's STUN and TURN servers", () => {
    const iceServers = [
      { urls: 'stun:stun.example.org:3478' },
      {
        urls: ['turn:turn.example.org:3478', 'turns:turn.example.org:5349'],
        username: 'u',
        credential: 'p',
      },
    ];
    expect(parseConfig({ relayUrl: 'https://r', iceServers, clockOffsetMs: 5 })).toEqual({
      relayUrl: 'https://r',
      iceServers,
      clockOffsetMs: 5,
    });
  });

  it('falls back whole, and says so, when a field is not valid', () => {
    const said = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    for (const bad of [
      { iceServers: [{ urls: 'http://stun.example.org' }] },
      { iceServers: [{ urls: [] }] },
      { iceServers: 'stun:x' },
      { relayUrl: 7 },
      { clockOffsetMs: 1.5 },
      null,
    ]) {
      expect(parseConfig(bad)).toEqual({ relayUrl: 'http://127.0.0.1:8787', iceServers: [] });
    }
    expect(said).toHaveBeenCalledTimes(6);
    said.mockRestore();
  });
});
