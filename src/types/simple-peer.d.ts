// y-webrtc imports this build of simple-peer; we reach its prototype to frame large messages.
declare module 'simple-peer/simplepeer.min.js' {
  const Peer: unknown;
  export default Peer;
}
