// The demo website's pages. /demo is reached by a client-side route change (pushState), the
// others by ordinary page loads, so both kinds of navigation can be tried.
(function () {
  var pages = {
    '/': [
      'Acme Analytics',
      'Know your numbers',
      'Dashboards your whole team understands. Start with our pricing or book a demo.',
    ],
    '/pricing': [
      'Pricing — Acme Analytics',
      'Pricing',
      'Starter $29/mo · Team $99/mo · Enterprise: talk to us.',
    ],
    '/demo': [
      'Book a demo — Acme Analytics',
      'Book a demo',
      'Pick a time that suits you and we will walk you through Acme.',
    ],
    '/blog': ['Blog — Acme Analytics', 'Blog', 'Five dashboards every SaaS founder needs.'],
  };
  function render() {
    var page = pages[location.pathname] || [
      'Not found — Acme Analytics',
      'Not found',
      'This page does not exist.',
    ];
    document.title = page[0];
    var main = document.getElementById('content');
    main.innerHTML = '';
    var h1 = document.createElement('h1');
    h1.textContent = page[1];
    var p = document.createElement('p');
    p.textContent = page[2];
    main.appendChild(h1);
    main.appendChild(p);
  }
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[data-client-route]');
    if (!a) return;
    e.preventDefault();
    history.pushState({}, '', a.getAttribute('href'));
    render();
  });
  addEventListener('popstate', render);
  render();
})();
