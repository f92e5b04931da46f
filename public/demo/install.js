// Demo-site only: installs the widget exactly as the snippet would, with the workspace the app
// passed in this link's fragment (#converge-install=…), remembered for later page loads.
(function () {
  var KEY = 'demo-converge-install';
  var match = location.hash.match(/converge-install=([A-Za-z0-9_-]+)/);
  if (match) {
    try {
      var b64 = match[1].replace(/-/g, '+').replace(/_/g, '/');
      var json = decodeURIComponent(escape(atob(b64)));
      JSON.parse(json);
      localStorage.setItem(KEY, json);
    } catch (e) {
      console.warn('demo: bad install link', e);
    }
    history.replaceState(history.state, '', location.pathname + location.search);
  }
  var saved = localStorage.getItem(KEY);
  if (!saved) return;
  var install = JSON.parse(saved);
  var s = document.createElement('script');
  s.async = true;
  s.src = install.src;
  s.setAttribute('data-workspace', install.workspace);
  s.setAttribute('data-key', install.key);
  s.setAttribute('data-relay', install.relay);
  if (install.consent) s.setAttribute('data-consent', install.consent);
  document.head.appendChild(s);
})();
