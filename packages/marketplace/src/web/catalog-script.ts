/**
 * The catalog's one script, served as a file (`assets/catalog.js`), so the Content-Security-Policy
 * allows scripts from the catalog's own origin only. Everything works without it; it adds copy
 * buttons to install commands, and on a static build it runs the search in the page over
 * `search.json` (the server renders results itself). It builds nodes with textContent only.
 */
export const CATALOG_SCRIPT: string = `(function () {
  'use strict';
  var status = document.getElementById('status');
  function announce(text) { if (status) status.textContent = text; }
  document.querySelectorAll('pre[data-copy]').forEach(function (block) {
    if (!navigator.clipboard) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = 'Copy ' + block.getAttribute('data-copy');
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(block.textContent || '').then(
        function () { announce('Copied the ' + block.getAttribute('data-copy') + '.'); },
        function () { announce('Copying failed: select the text and copy it.'); });
    });
    block.insertAdjacentElement('afterend', button);
  });

  var results = document.getElementById('results');
  var root = document.body.getAttribute('data-root') || './';
  if (!results || document.body.getAttribute('data-static-search') !== 'true') return;
  var parameters = new URLSearchParams(location.search);
  var keys = ['q', 'type', 'tags', 'sort', 'page'];
  if (!keys.some(function (key) { return parameters.get(key); })) return;
  keys.forEach(function (key) {
    var field = document.querySelector('[name="' + key + '"]');
    if (field && parameters.get(key)) field.value = parameters.get(key);
  });
  var heading = document.getElementById('results-heading');
  announce('Searching…');
  fetch(root + 'search.json').then(function (response) {
    if (!response.ok) throw new Error('search.json: ' + response.status);
    return response.json();
  }).then(function (plugins) {
    var phrase = (parameters.get('q') || '').trim().toLowerCase();
    var words = phrase.split(/\\s+/).filter(Boolean);
    var type = parameters.get('type') || '';
    var tags = (parameters.get('tags') || '').split(',').map(function (tag) { return tag.trim().toLowerCase(); }).filter(Boolean);
    var sort = parameters.get('sort') || 'relevance';
    var matches = [];
    plugins.forEach(function (plugin) {
      if (type && plugin.type !== type) return;
      var own = plugin.tags.map(function (tag) { return tag.toLowerCase(); });
      if (!tags.every(function (tag) { return own.indexOf(tag) !== -1; })) return;
      var score = words.length === 0 ? 1 : 0;
      var id = plugin.id.toLowerCase(), name = plugin.name.toLowerCase();
      var description = plugin.description.toLowerCase(), author = plugin.author.toLowerCase();
      if (words.length > 0) {
        if (id === phrase) score += 100;
        if (name === phrase) score += 80;
        for (var index = 0; index < words.length; index += 1) {
          var word = words[index], points = 0;
          if (name.indexOf(word) !== -1) points += name.indexOf(word) === 0 ? 30 : 20;
          if (id.indexOf(word) !== -1) points += 10;
          if (own.indexOf(word) !== -1) points += 15;
          if (description.indexOf(word) !== -1) points += 5;
          if (author.indexOf(word) !== -1) points += 2;
          if (points === 0) return;
          score += points;
        }
      }
      matches.push({ plugin: plugin, score: score });
    });
    matches.sort(function (left, right) {
      return right.score - left.score || right.plugin.downloads - left.plugin.downloads || (left.plugin.id < right.plugin.id ? -1 : 1);
    });
    var field = { downloads: 'downloads', rating: 'rating', score: 'score', updated: 'updated' }[sort];
    if (field) matches.sort(function (left, right) {
      var leftValue = left.plugin[field], rightValue = right.plugin[field];
      return leftValue === rightValue ? 0 : leftValue < rightValue ? 1 : -1;
    });
    var pageSize = 20, pages = Math.max(1, Math.ceil(matches.length / pageSize));
    var page = Math.min(Math.max(1, parseInt(parameters.get('page') || '1', 10) || 1), pages);
    while (results.firstChild) results.removeChild(results.firstChild);
    matches.slice((page - 1) * pageSize, page * pageSize).forEach(function (match) {
      results.appendChild(renderResult(match.plugin));
    });
    var text = matches.length + (matches.length === 1 ? ' plugin found' : ' plugins found') + (pages > 1 ? ', page ' + page + ' of ' + pages : '');
    if (heading) heading.textContent = text;
    announce(text);
  }).catch(function () { announce('The search file could not be read.'); });

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function renderResult(plugin) {
    var item = element('li', 'result');
    var title = element('h3');
    var link = element('a', '', plugin.name);
    link.href = root + 'plugins/' + encodeURIComponent(plugin.id) + '/';
    title.appendChild(link);
    item.appendChild(title);
    var meta = element('ul', 'meta');
    meta.appendChild(element('li', '', plugin.id));
    meta.appendChild(element('li', '', 'v' + plugin.version));
    meta.appendChild(element('li', '', plugin.type));
    var badge = element('li');
    badge.appendChild(element('span', 'badge risk-' + plugin.risk, 'Score ' + plugin.score + ' · ' + plugin.risk + ' risk'));
    meta.appendChild(badge);
    item.appendChild(meta);
    item.appendChild(element('p', 'summary', plugin.summary));
    var chips = element('ul', 'chips');
    chips.setAttribute('aria-label', 'Permissions');
    (plugin.permissions.length ? plugin.permissions : ['no permissions']).forEach(function (permission) {
      chips.appendChild(element('li', '', permission));
    });
    item.appendChild(chips);
    return item;
  }
})();
`;
