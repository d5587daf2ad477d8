/* Runs in Chromium, next to node_modules/adaptivecards/dist/adaptivecards.min.js (see cards.browser.ts). */
/* global window, document, getComputedStyle, AdaptiveCards */
'use strict';

/**
 * The markdown subset Teams renders in TextBlocks and FactSet values: backslash escapes, **bold**,
 * _italic_, [links](url) and paragraphs. Enough to show the cards as people see them.
 */
function markdown(text) {
  const escapes = [];
  let html = text
    .replace(/\\([\\`*_[\]<>~{}#+\-.!])/g, (_, c) => `\uE000${escapes.push(c) - 1}\uE000`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|\W)_([^_]+)_(?=\W|$)/g, '$1<em>$2</em>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>');
  html = html.replace(/\uE000(\d+)\uE000/g, (_, i) => escapes[Number(i)].replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;'));
  return html.split(/\n\n+/).map((p) => `<p style="margin:0">${p.replace(/\n/g, '<br>')}</p>`).join('');
}

AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = markdown(text);
  result.didProcess = true;
};

function describe(el) {
  const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
  return `${el.tagName.toLowerCase()}${cls} "${(el.textContent || '').trim().slice(0, 60)}"`;
}

/**
 * Renders one card into #host and measures what a person would notice: buttons that are hidden,
 * squashed, cut off or outside the screen, and anything wider than its box.
 */
window.renderAndMeasure = (json, hostConfig) => {
  const card = new AdaptiveCards.AdaptiveCard();
  card.hostConfig = new AdaptiveCards.HostConfig(hostConfig);
  const context = new AdaptiveCards.SerializationContext();
  card.parse(json, context);
  const problems = [];
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(`parse: ${event.message}`);
  }
  const rendered = card.render();
  const host = document.getElementById('host');
  host.replaceChildren(rendered);
  return { problems, ...window.measure() };
};

/** Measures the card on the page now (after a click, too). */
window.measure = () => {
  const rendered = document.getElementById('host').firstElementChild;

  const viewport = document.documentElement.clientWidth;
  const cardBox = rendered.getBoundingClientRect();
  const buttons = [...rendered.querySelectorAll('button')].map((b) => {
    const r = b.getBoundingClientRect();
    const style = getComputedStyle(b);
    return {
      title: (b.textContent || '').trim(),
      left: r.left,
      right: r.right,
      top: r.top + window.scrollY,
      bottom: r.bottom + window.scrollY,
      width: r.width,
      height: r.height,
      // A button inside a collapsed "Add a comment" card is rendered but not shown.
      shown: b.getClientRects().length > 0 && style.visibility !== 'hidden' && Number(style.opacity) > 0,
      // The renderer puts the title in a child that ends in "…" when the button is squeezed.
      cutOff: [b, ...b.querySelectorAll('*')].some((e) => e.scrollWidth > e.clientWidth + 1),
    };
  });
  const overflowing = [...rendered.querySelectorAll('*'), rendered]
    .filter((el) => {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) return false;
      // An open "Add a comment" card is drawn to the card's edges on purpose (the renderer's negative margins).
      if (el.querySelector('.ac-adaptiveCard') || el.closest('.ac-adaptiveCard') !== rendered) return false;
      return el.scrollWidth > el.clientWidth + 1 || r.right > cardBox.right + 1 || r.left < cardBox.left - 1;
    })
    .map(describe);
  return {
    viewport,
    documentScrollWidth: document.documentElement.scrollWidth,
    card: { left: cardBox.left, right: cardBox.right, top: cardBox.top + window.scrollY, height: cardBox.height, scrollWidth: rendered.scrollWidth, clientWidth: rendered.clientWidth },
    buttons,
    textareas: [...rendered.querySelectorAll('textarea')].filter((e) => e.getClientRects().length > 0).length,
    overflowing,
  };
};

/** Clicks the card's button with this title (e.g. "Add a comment", "Details"), as a person would. */
window.clickButton = (title) => {
  const button = [...document.querySelectorAll('#host button, #host [role="button"]')].find((b) => (b.textContent || '').trim().replace(/\s*▾$/, '') === title && b.getClientRects().length > 0);
  if (!button) throw new Error(`no button "${title}" is shown`);
  button.click();
};
