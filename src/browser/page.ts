import { escapeHtml } from './escape-html.js';

/** What the page says about where it is served and what it shows. */
export interface BrowserPageOptions {
  /** The path the browser is served under ('' for the root). */
  readonly basePath: string;
  /** The application whose events it shows. */
  readonly applicationName: string;
}

/**
 * The event browser's HTML: a header, the views' navigation, and an empty `main` that the
 * script fills (from the JSON API, with text nodes only). The base path and application name
 * are escaped; the script and stylesheet come from the same server.
 *
 * @internal
 */
export function browserPage(options: BrowserPageOptions): string {
  const base = escapeHtml(options.basePath);
  const name = escapeHtml(options.applicationName);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${name} · eventsourcing event browser</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${base}/browser.css">
<script src="${base}/browser.js" defer></script>
</head>
<body data-base-path="${base}">
<header>
<h1><span class="product">eventsourcing</span> <span id="app-name">${name}</span></h1>
<p id="app-summary" class="summary"></p>
<nav id="views" aria-label="Views">
<a href="#/log" data-view="log">Log</a>
<a href="#/aggregate" data-view="aggregate">Aggregate</a>
<a href="#/tail" data-view="tail">Live tail</a>
<a href="#/lag" data-view="lag">Lag</a>
</nav>
</header>
<main id="view" aria-live="polite"><p class="loading">Loading…</p></main>
<noscript><p class="error">The event browser needs JavaScript.</p></noscript>
</body>
</html>
`;
}
